import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';
import { queueTurnHeaders } from '../../../lib/queue-turn';

type BestInput = components['schemas']['BestInput'];

/**
 * `POST /api/events/{id}/best/` (issue 14): what the buyer asks for. `category` is a price
 * category id (absent: any price); `accessible` how many of the `count` seats are wheelchair
 * spaces (the rest are companion seats beside them), 0 when absent, as the server defaults it.
 */
export type BestRequest = Omit<BestInput, 'accessible'> & Partial<Pick<BestInput, 'accessible'>>;

/**
 * The block the server found and now holds for the caller: `together` when all side by side in
 * one row; `alternatives`, other blocks that would fit, as seat ids (up to 3), not held.
 */
export type BestAnswer = components['schemas']['BestAvailable'];

/** Holds the best block that fits; 409 `no_block` when nothing does. `turn`: the waiting room's turn token. */
export const findBestSeats = (eventId: number, request: BestRequest, turn?: string | null) =>
  api.post<BestAnswer>(`/api/events/${eventId}/best/`, request, { headers: queueTurnHeaders(turn) });
