import { api } from '../../../lib/api';
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

/** `GET /api/events/{id}/holds/` (logged in): the caller's own holds on the event. */
export const fetchOwnHolds = (eventId: number) => api.get<ApiOwnHolds>(`/api/events/${eventId}/holds/`);

interface ReservationSeats {
  status: string;
  event: { id: number };
  seats: { id: number }[];
}

/** At most this many pages of the caller's reservations are read (100 a page). */
const BOOKING_PAGES = 10;

/** The seats of the caller's confirmed bookings on the event (`GET /api/reservations/`, newest first). */
export async function fetchOwnBookedSeats(eventId: number): Promise<number[]> {
  const seats: number[] = [];
  let path: string | null = '/api/reservations/?page_size=100';
  for (let page = 0; path && page < BOOKING_PAGES; page += 1) {
    const answer: { items: ReservationSeats[]; next: string | null } = await api.getPage<ReservationSeats>(path);
    for (const reservation of answer.items) {
      if (reservation.event?.id !== eventId || reservation.status !== 'confirmed') continue;
      for (const seat of reservation.seats) seats.push(seat.id);
    }
    path = answer.next;
  }
  return seats;
}
