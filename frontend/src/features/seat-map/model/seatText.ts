import { seatKind, type Seat, type SeatKind } from './seatState';

export const KIND_TEXT: Record<SeatKind, string> = {
  available: 'available',
  'held-mine': 'held by you',
  'held-other': 'held by someone else',
  'booked-mine': 'booked by you',
  'booked-other': 'booked',
};

/** Legend order and wording; the same words the seats speak. */
export const LEGEND: { kind: SeatKind; title: string }[] = [
  { kind: 'available', title: 'Available' },
  { kind: 'held-mine', title: 'Held by you' },
  { kind: 'held-other', title: 'Held by someone else' },
  { kind: 'booked-mine', title: 'Booked by you' },
  { kind: 'booked-other', title: 'Booked' },
];

/** "A1, Floor, 50.00, available": what a screen reader says for a seat. */
export function seatAriaLabel(seat: Pick<Seat, 'label' | 'section' | 'price' | 'status' | 'mine'>): string {
  return `${seat.label}, ${seat.section}, ${seat.price}, ${KIND_TEXT[seatKind(seat as Seat)]}`;
}
