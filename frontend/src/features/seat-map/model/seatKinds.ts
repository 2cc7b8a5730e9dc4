import type { SeatLive } from './seat';
import { KEPT, KILLED } from './seatOverlay';

/** What a person sees, one of the legend's entries. */
export type SeatKind =
  | 'available'
  | 'held-mine'
  | 'held-other'
  | 'paying-mine'
  | 'paying-other'
  | 'booked-mine'
  | 'booked-other';

/** What the console also tells apart among seats that are not for sale (model/seatOverlay.ts). */
export type DrawnKind = SeatKind | 'kept' | 'killed';

export function seatKind(seat: SeatLive): SeatKind {
  if (seat.status === 'locked') return seat.mine ? 'held-mine' : 'held-other';
  if (seat.status === 'paying') return seat.mine ? 'paying-mine' : 'paying-other';
  if (seat.status === 'reserved') return seat.mine ? 'booked-mine' : 'booked-other';
  return 'available';
}

/**
 * The seat's kind with the console's marks: a seat the off-sale list names is kept back or
 * killed only while the stream shows it `reserved` (released since, it is what the stream says).
 */
export function drawnKind(seat: SeatLive, mark: number): DrawnKind {
  if (seat.status === 'reserved' && !seat.mine) {
    if (mark & KEPT) return 'kept';
    if (mark & KILLED) return 'killed';
  }
  return seatKind(seat);
}
