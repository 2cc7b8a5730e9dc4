import type { SeatLive } from './seat';

/** What a person sees, one of the legend's five entries. */
export type SeatKind = 'available' | 'held-mine' | 'held-other' | 'booked-mine' | 'booked-other';

export function seatKind(seat: SeatLive): SeatKind {
  if (seat.status === 'locked') return seat.mine ? 'held-mine' : 'held-other';
  if (seat.status === 'reserved') return seat.mine ? 'booked-mine' : 'booked-other';
  return 'available';
}
