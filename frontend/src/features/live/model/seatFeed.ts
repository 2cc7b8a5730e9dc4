/**
 * Joins the socket to the seat store: routes each frame through the StreamTracker, applies
 * what it says, asks for snapshots after gaps or a new epoch, and keeps a small status
 * (connection, watchers) for the page.
 *
 * Each connection asks to resume (PROTOCOL.md "Resuming", `?epoch=E&seq=S`) from the last point
 * whose every change the store holds: the `state/` the page arrived with, then the stream's
 * position. The server answers `resumed` and sends what came after, or, when it cannot, a
 * snapshot: either is fine. After a gap or a new epoch there is no such point until a snapshot
 * comes, and the next connection asks for a snapshot.
 *
 * A logged-in page says whose its socket is (`auth`, PROTOCOL.md "Your own seats"); the server
 * then tells it the account's own seats (`own`) whenever they change, whichever tab or device
 * changed them. An `own` frame waits until the stream has reached its `seq`, so the page never
 * calls a seat its own before it shows the state that made it so.
 */
import type { ConnectionState, LiveSocket, LiveSocketOptions } from '../../../lib/ws-client';
import { decodeOwnHolds, type ApiOwnHolds, type StreamPoint, type PushedSeat, type SeatStore } from '../../seat-map';
import { StreamTracker } from './streamTracker';

export type FeedConnection = 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'gone';

export interface FeedStatus {
  connection: FeedConnection;
  /** The server's close code behind `reconnecting` or `gone` (lib/close-codes.ts); null while up. */
  closeCode: number | null;
  /** People watching this event, from `presence` (an account's tabs count once); null until the first one. */
  watchers: number | null;
  /** Counts of what happened, for the curious and for tests. */
  resyncs: number;
  /** Connections the server resumed (no snapshot sent). */
  resumes: number;
}

/**
 * Opens the socket. `resumeFrom` is asked each time a connection is made (first and every
 * reconnect): the point to put in its URL, or null for a plain connection (a snapshot).
 */
export type SocketOpener = (
  handlers: Pick<LiveSocketOptions, 'onMessage' | 'onOpen' | 'onStateChange'>,
  resumeFrom: () => StreamPoint | null,
) => LiveSocket;

/** `?epoch=E&seq=S` for a socket URL, or '' to connect without resuming. */
export function resumeQuery(point: StreamPoint | null): string {
  if (!point) return '';
  return `?${new URLSearchParams({ epoch: point.epoch, seq: String(point.seq) }).toString()}`;
}

export interface SeatFeedOptions {
  eventId: number;
  store: SeatStore;
  openSocket: SocketOpener;
  /** After a reconnect, once its snapshot or `resumed` came: refresh what only HTTP knows (which seats are mine). */
  onReconnected?: () => void;
  /** Ask again when an awaited snapshot has not come within this time. */
  snapshotTimeoutMs?: number;
  /** The access token for `auth` (null: nobody is logged in); `fresh`: the last was refused. */
  socketToken?: (fresh: boolean) => Promise<string | null>;
}

interface OwnFrame extends ApiOwnHolds {
  epoch: string;
  seq: number;
}

function isOwnFrame(frame: Record<string, unknown>): frame is Record<string, unknown> & OwnFrame {
  return typeof frame.epoch === 'string' && typeof frame.seq === 'number' && Array.isArray(frame.seats) && Array.isArray(frame.booked);
}

function isPushedSeat(value: unknown): value is PushedSeat {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'number' &&
    typeof v.version === 'number' &&
    (v.status === 'available' || v.status === 'locked' || v.status === 'reserved')
  );
}

export class SeatFeed {
  private readonly tracker = new StreamTracker();
  private socket: LiveSocket | null = null;
  private socketState: ConnectionState = 'connecting';
  private closeCode: number | null = null;
  private reconnectedUnsynced = false;
  private status: FeedStatus = { connection: 'connecting', closeCode: null, watchers: null, resyncs: 0, resumes: 0 };
  /** The last point whose every change the store holds; null after a gap until a snapshot. */
  private resumable: StreamPoint | null = null;
  /** The point the current connection asked to resume from. */
  private asked: StreamPoint | null = null;
  private listeners = new Set<() => void>();
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last `own` frame, until the stream reaches it. */
  private ownWaiting: OwnFrame | null = null;
  /** Whether this connection already asked for a fresh token after a refusal. */
  private tokenRefreshed = false;
  private readonly options: SeatFeedOptions;

  constructor(options: SeatFeedOptions) {
    this.options = options;
  }

  /** Opens the socket; `from`: the point of the state the store was loaded with (`state/`). */
  start(from?: StreamPoint | null): void {
    if (this.socket) return;
    // A feed stopped and started again (a remount) goes on from where its stream was.
    if (from && !this.resumable) this.resumable = { epoch: from.epoch, seq: from.seq };
    this.socket = this.options.openSocket(
      {
        onMessage: (frame) => this.handleFrame(frame),
        onOpen: ({ reconnect }) => this.handleOpen(reconnect),
        onStateChange: (state, detail) => {
          this.socketState = state;
          if (state !== 'open') this.clearSnapshotTimer();
          this.closeCode = detail?.code ?? null;
          this.refreshConnection();
        },
      },
      () => this.resumeFrom(),
    );
  }

  /** Where the next connection resumes from (and remembers that it asked). */
  resumeFrom(): StreamPoint | null {
    this.asked = this.resumable;
    return this.asked;
  }

  stop(): void {
    this.clearSnapshotTimer();
    this.socket?.close();
    this.socket = null;
  }

  /** Drops the connection and makes a new one (the page offers it when the socket is gone). */
  reconnect(): void {
    this.socket?.reconnect();
  }

  getStatus = (): FeedStatus => this.status;

  subscribeStatus = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  handleOpen(reconnect: boolean): void {
    this.tracker.reset();
    this.socketState = 'open';
    this.armSnapshotTimer();
    this.refreshConnection();
    // Told only once the snapshot (or `resumed`) comes: the server accepts a socket before it may close it
    // (4429 capped, 4404, 4503), and such a socket must not cost an HTTP read each time.
    if (reconnect) this.reconnectedUnsynced = true;
    this.tokenRefreshed = false;
    void this.sayWhose(false);
  }

  /** Tells the server whose this socket is, when someone is logged in. */
  private async sayWhose(fresh: boolean): Promise<void> {
    const token = await this.options.socketToken?.(fresh).catch(() => null);
    if (token && this.socketState === 'open') this.socket?.send({ type: 'auth', token });
  }

  /** Applies the waiting `own` frame once the stream has reached it (or is in another epoch). */
  private applyOwnWhenReached(): void {
    const own = this.ownWaiting;
    if (!own || this.tracker.awaitingSnapshot) return;
    const { epoch, seq } = this.tracker.position;
    if (epoch === own.epoch && seq !== null && seq < own.seq) return;
    this.ownWaiting = null;
    const { holds, booked } = decodeOwnHolds(own);
    this.options.store.applyOwnHolds(holds, this.options.store.ownHoldVersions());
    this.options.store.applyOwnBookings(booked);
  }

  handleFrame(frame: Record<string, unknown>): void {
    if (frame.event_id !== undefined && frame.event_id !== this.options.eventId) return;
    switch (frame.type) {
      case 'snapshot': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string' || !Array.isArray(frame.seats)) return;
        this.options.store.applyPushed(frame.seats.filter(isPushedSeat));
        this.tracker.onSnapshot(frame.epoch, frame.seq);
        this.synced();
        this.applyOwnWhenReached();
        return;
      }
      case 'resumed': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string') return;
        const asked = this.asked;
        if (!asked || asked.epoch !== frame.epoch || asked.seq !== frame.seq) {
          // Resumed from a point this page did not ask for: take a snapshot instead.
          this.resumable = null;
          this.requestSnapshot();
          return;
        }
        this.tracker.onSnapshot(frame.epoch, frame.seq);
        this.update({ resumes: this.status.resumes + 1 });
        this.synced();
        this.applyOwnWhenReached();
        return;
      }
      case 'seats': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string' || !Array.isArray(frame.changes)) return;
        const firstSeq = typeof frame.first_seq === 'number' ? frame.first_seq : frame.seq;
        const decision = this.tracker.onSeats(frame.epoch, frame.seq, firstSeq);
        if (decision.action === 'drop') return;
        this.options.store.applyPushed(frame.changes.filter(isPushedSeat));
        if (decision.action === 'apply' && decision.reason) this.resumable = null; // a gap or a new epoch
        else this.keepResumable();
        if (decision.resync) this.requestSnapshot();
        this.applyOwnWhenReached();
        return;
      }
      case 'own': {
        if (!isOwnFrame(frame)) return;
        this.ownWaiting = frame;
        this.applyOwnWhenReached();
        return;
      }
      case 'error': {
        // The token went stale while the page was open: one fresh one per connection.
        if (frame.code === 'not_authenticated' && !this.tokenRefreshed) {
          this.tokenRefreshed = true;
          void this.sayWhose(true);
        }
        return;
      }
      case 'presence': {
        if (typeof frame.watchers === 'number') this.update({ watchers: frame.watchers });
        return;
      }
      default:
        return; // pong: nothing to do
    }
  }

  /** The snapshot or `resumed` this connection waited for came. */
  private synced(): void {
    this.keepResumable();
    this.clearSnapshotTimer();
    this.refreshConnection();
    if (this.reconnectedUnsynced) {
      this.reconnectedUnsynced = false;
      this.options.onReconnected?.();
    }
  }

  private keepResumable(): void {
    if (this.tracker.awaitingSnapshot) return;
    const { epoch, seq } = this.tracker.position;
    if (epoch !== null && seq !== null) this.resumable = { epoch, seq };
  }

  requestSnapshot(): void {
    this.tracker.requested();
    this.update({ resyncs: this.status.resyncs + 1 });
    this.socket?.send({ type: 'snapshot' });
    this.armSnapshotTimer();
    this.refreshConnection();
  }

  private armSnapshotTimer(): void {
    this.clearSnapshotTimer();
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      if (this.tracker.awaitingSnapshot && this.socketState === 'open') this.requestSnapshot();
    }, this.options.snapshotTimeoutMs ?? 5_000);
  }

  private clearSnapshotTimer(): void {
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
  }

  private refreshConnection(): void {
    let connection: FeedConnection;
    switch (this.socketState) {
      case 'open':
        connection = this.tracker.awaitingSnapshot ? 'syncing' : 'live';
        break;
      case 'closed':
        connection = 'gone';
        break;
      default:
        connection = this.socketState;
    }
    this.update({ connection, closeCode: this.closeCode });
  }

  private update(patch: Partial<FeedStatus>): void {
    const next = { ...this.status, ...patch };
    const same = (Object.keys(next) as (keyof FeedStatus)[]).every((key) => next[key] === this.status[key]);
    if (same) return;
    this.status = next;
    for (const listener of [...this.listeners]) listener();
  }
}
