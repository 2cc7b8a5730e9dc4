/**
 * The waiting room's HTTP side (API.md "Waiting room"). The OpenAPI schema does not name these
 * calls yet, so their answers are typed here by hand, field for field as the doc writes them;
 * the public state is the socket's `queue` frame without its `type` (PROTOCOL.md), so that part
 * comes from the generated protocol types.
 */
import { api } from '../../../lib/api';
import type { QueueFrame } from '../../../lib/protocol-types';

/** The waiting room's public state: what every buyer sees (the `queue` frame's fields). */
export type QueuePublicState = Omit<QueueFrame, 'type'>;

export type QueueStateName = QueuePublicState['state'];

/** A claimed turn: send `token` as `Queue-Turn` on lock, lock several and best available until `expires_at`. */
export interface QueueTurn {
  token: string;
  expires_at: string;
  /** The turn was made longer once already (extend answers 409 `turn_extended` now). */
  extended: boolean;
}

/** The caller's own place: one per account and event, the same on every tab and after a reload. */
export interface QueuePlace {
  entry_id: string;
  /** Null before the draw numbers the entrants. */
  number: number | null;
  /** Joined after the on-sale: numbered behind the drawn entrants, first come first served. */
  late: boolean;
  called: boolean;
  /** Claim before then once called, or the turn lapses. */
  claim_by: string | null;
  turn: QueueTurn | null;
}

/** `GET /api/events/{id}/queue/`: the public state and, for a logged-in caller who joined, their place. */
export interface QueueStatus extends QueuePublicState {
  place: QueuePlace | null;
}

export const fetchQueue = (eventId: number) => api.get<QueueStatus>(`/api/events/${eventId}/queue/`);

/** Takes a place (or answers the one already taken: idempotent). */
export const joinQueue = (eventId: number) => api.post<{ place: QueuePlace }>(`/api/events/${eventId}/queue/join/`, {});

/** Claims the turn once called; later in the turn, the same turn with a fresh token. */
export const claimTurn = (eventId: number) => api.post<{ turn: QueueTurn }>(`/api/events/${eventId}/queue/claim/`, {});

/** Makes the turn longer by `turn_seconds`, once per turn. */
export const extendTurn = (eventId: number) => api.post<{ turn: QueueTurn }>(`/api/events/${eventId}/queue/extend/`, {});

/** Where the draw's proof is published, for the buyer to open and check. */
export const proofUrl = (eventId: number) => `${api.baseUrl}/api/events/${eventId}/queue/proof/`;
