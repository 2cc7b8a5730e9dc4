/**
 * What the client does when the server closes its socket, by close code (PROTOCOL.md,
 * "Closing"). ws-client.ts follows this table; the page words each reason (error-messages.ts).
 *
 * Every code but 4404 means "reconnect and resync": the server sends a fresh snapshot on every
 * connection. Codes the server does not choose (1000, 1001 a restart, 1006 a network drop)
 * reconnect as usual and need no words beyond "Reconnecting…".
 */

export type CloseAction =
  /** Trying again cannot help. */
  | 'stop'
  /** Reconnect with the usual growing, jittered delay. */
  | 'reconnect'
  /** Reconnect only after a long pause, so that a client the server capped does not hammer it. */
  | 'back-off';

export type CloseReason = 'event-not-found' | 'too-slow' | 'too-many' | 'feed-broke' | 'frame-too-big' | 'keepalive-lost';

export interface ClosePolicy {
  readonly action: CloseAction;
  /** Why the server closed, when it said so; null for an ordinary drop. */
  readonly reason: CloseReason | null;
}

export const CLOSE_POLICIES: Readonly<Record<number, ClosePolicy>> = {
  4404: { action: 'stop', reason: 'event-not-found' },
  4408: { action: 'reconnect', reason: 'too-slow' },
  // A flood of frames, or more sockets from this address than the server allows: coming straight
  // back would be refused again, and a whole office behind one address would do it together.
  4429: { action: 'back-off', reason: 'too-many' },
  4503: { action: 'reconnect', reason: 'feed-broke' },
  1009: { action: 'reconnect', reason: 'frame-too-big' },
  1011: { action: 'reconnect', reason: 'keepalive-lost' },
};

const ORDINARY_DROP: ClosePolicy = { action: 'reconnect', reason: null };

export function closePolicy(code: number | null | undefined): ClosePolicy {
  return (code != null && CLOSE_POLICIES[code]) || ORDINARY_DROP;
}

/** The shortest pause after a `back-off` close; ws-client adds up to half of it again as jitter. */
export const BACK_OFF_MIN_MS = 10_000;
