/**
 * The waiting room's HTTP side (API.md "Waiting room"). The place, the turn and the answers of
 * join, claim and extend are the OpenAPI schema's; the public state is the socket's `queue`
 * frame without its `type` (PROTOCOL.md), from the protocol's types, since the schema names
 * only a few of its fields.
 */
import { api } from '../../../lib/api';
import type { components } from '../../../lib/api-types';
import type { QueueFrame } from '../../../lib/protocol-types';

type Schemas = components['schemas'];

/** The waiting room's public state: what every buyer sees (the `queue` frame's fields). */
export type QueuePublicState = Omit<QueueFrame, 'type'>;

export type QueueStateName = QueuePublicState['state'];

/** A claimed turn: send `token` as `Queue-Turn` on lock, lock several and best available until `expires_at`. */
export type QueueTurn = Schemas['QueueTurn'];

/** The caller's own place: one per account and event, the same on every tab and after a reload. */
export type QueuePlace = Schemas['QueuePlace'];

/** `GET /api/events/{id}/queue/`: the public state and, for a logged-in caller who joined, their place. */
export interface QueueStatus extends QueuePublicState {
  place: QueuePlace | null;
}

export const fetchQueue = (eventId: number) => api.get<QueueStatus>(`/api/events/${eventId}/queue/`);

/** Takes a place (or answers the one already taken: idempotent). */
export const joinQueue = (eventId: number) => api.post<Schemas['QueueJoined']>(`/api/events/${eventId}/queue/join/`, {});

/** Claims the turn once called; later in the turn, the same turn with a fresh token. */
export const claimTurn = (eventId: number) => api.post<Schemas['QueueClaimed']>(`/api/events/${eventId}/queue/claim/`, {});

/** Makes the turn longer by `turn_seconds`, once per turn. */
export const extendTurn = (eventId: number) => api.post<Schemas['QueueExtended']>(`/api/events/${eventId}/queue/extend/`, {});

/** Where the draw's proof is published, for the buyer to open and check. */
export const proofUrl = (eventId: number) => `${api.baseUrl}/api/events/${eventId}/queue/proof/`;
