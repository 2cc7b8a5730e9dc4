import { api } from '../../../lib/api';
import type { ApiSeat } from '../model/seat';
import type { ApiOwnHolds, ApiSeatMap, ApiSeatStates } from '../model/seatPlan';

/**
 * `GET /api/events/{id}/map/`: the seats' static part. Sent compressed with a strong ETag and
 * `Cache-Control: public, no-cache`; fetched with the browser's default cache mode (no
 * `no-store`, no cache-busting query), so a later visit revalidates it (304) instead of
 * downloading it again.
 */
export const fetchSeatMap = (eventId: number) => api.get<ApiSeatMap>(`/api/events/${eventId}/map/`);

/** `GET /api/events/{id}/state/`: every seat's state at the stream's `(epoch, seq)`. */
export const fetchSeatStates = (eventId: number) => api.get<ApiSeatStates>(`/api/events/${eventId}/state/`);

/** `GET /api/events/{id}/holds/` (logged in): the caller's own holds and booked seats on the event. */
export const fetchOwnHolds = (eventId: number) => api.get<ApiOwnHolds>(`/api/events/${eventId}/holds/`);

/** `GET /api/events/{id}/seats/`: every seat with its state, read from the database (and, logged
 * in, which are the caller's): what the page reads when `state/` cannot answer (Redis gone). */
export const fetchSeatList = (eventId: number) => api.get<{ event_id: number; seats: ApiSeat[] }>(`/api/events/${eventId}/seats/`);
