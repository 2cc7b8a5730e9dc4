import { api } from '../../../lib/api';
import type { ApiSeat } from '../model/seatState';

/** `POST /api/events/{id}/best/` (issue 14): what the buyer asks for. */
export interface BestRequest {
  count: number;
  /** A price category id (event detail `categories`); absent for any price. */
  category?: number;
  section?: string;
  /** How many of the `count` seats are wheelchair spaces; the rest are companion seats beside them. */
  accessible?: number;
}

/** The block the server found and now holds for the caller. */
export interface BestAnswer {
  success: boolean;
  seats: ApiSeat[];
  /** All side by side in one row. */
  together: boolean;
  /** Other blocks that would fit, as seat ids (up to 3), not held. */
  alternatives: number[][];
}

/** Holds the best block that fits; 409 `no_block` when nothing does. */
export const findBestSeats = (eventId: number, request: BestRequest) =>
  api.post<BestAnswer>(`/api/events/${eventId}/best/`, request);
