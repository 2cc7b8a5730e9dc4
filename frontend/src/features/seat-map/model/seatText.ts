import type { CategoryIndex } from './categories';
import type { Seat } from './seat';
import { seatKind, type SeatKind } from './seatKinds';

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

type Spoken = Pick<Seat, 'label' | 'section' | 'price' | 'status' | 'mine'> &
  Partial<Pick<Seat, 'row' | 'number' | 'category' | 'accessible' | 'companion' | 'restrictedView' | 'blocked'>>;

/** What the seat is now, in words: "available", "held by you", ..., "not for sale" (blocked). */
export function stateText(seat: Spoken): string {
  if (seat.blocked && seat.status === 'reserved') return 'not for sale';
  return KIND_TEXT[seatKind(seat as Seat)];
}

/** The seat's properties that matter when choosing it. */
export function seatFlags(seat: Spoken): string[] {
  const flags: string[] = [];
  if (seat.accessible) flags.push('wheelchair space');
  if (seat.companion) flags.push('companion seat');
  if (seat.restrictedView) flags.push('restricted view');
  return flags;
}

/** "Premium 85.00", or "85.00" without a (known) category. */
export function priceText(seat: Spoken, categories?: CategoryIndex): string {
  const category = seat.category != null ? categories?.get(seat.category) : undefined;
  return category ? `${category.name} ${seat.price}` : seat.price;
}

/**
 * The grid's seat: "A1, Floor, 50.00, available" (the visible label first, WCAG 2.5.3), with the
 * category and flags when the event has them: "A1, Floor, Premium 50.00, available, wheelchair space".
 */
export function seatAriaLabel(seat: Spoken, categories?: CategoryIndex): string {
  return [seat.label, seat.section, priceText(seat, categories), stateText(seat), ...seatFlags(seat)].join(', ');
}

/** The room's list view: "Stalls, row C, seat 12, Premium 85.00, available, wheelchair space". */
export function seatSpokenLabel(seat: Spoken, categories?: CategoryIndex): string {
  const where = seat.row !== undefined && seat.number !== undefined ? [seat.section, `row ${seat.row}`, `seat ${seat.number}`] : [seat.label, seat.section];
  return [...where, priceText(seat, categories), stateText(seat), ...seatFlags(seat)].join(', ');
}

/** The tooltip on hover or focus: label, where, category and price, state and flags. */
export function seatTooltipLines(seat: Spoken, categories?: CategoryIndex): string[] {
  const where = seat.row !== undefined ? `${seat.section} · row ${seat.row}` : seat.section;
  const state = [stateText(seat), ...seatFlags(seat)].join(' · ');
  return [seat.label, where, priceText(seat, categories).replace(/ (?=[^ ]+$)/, ' · '), state];
}

/** How a seat button reads: its visible text, its accessible name, its tooltip, its category colour. */
export interface SeatTextStyle {
  visible(seat: Seat): string;
  spoken(seat: Seat): string;
  tooltip(seat: Seat): string[];
  colour(seat: Seat): string | undefined;
}

/** Today's grid: "A1" on the button, "A1, Floor, 50.00, available" (plus category and flags if known). */
export function gridText(categories?: CategoryIndex): SeatTextStyle {
  return {
    visible: (seat) => seat.label,
    spoken: (seat) => seatAriaLabel(seat, categories),
    tooltip: (seat) => seatTooltipLines(seat, categories),
    colour: () => undefined,
  };
}

export const GRID_TEXT = gridText();

/** The room's list view: the number on the button (inside its row's group), the full sentence spoken. */
export function listText(categories: CategoryIndex): SeatTextStyle {
  return {
    visible: (seat) => String(seat.number),
    spoken: (seat) => seatSpokenLabel(seat, categories),
    tooltip: (seat) => seatTooltipLines(seat, categories),
    colour: (seat) => (seat.category !== null ? categories.get(seat.category)?.colour : undefined),
  };
}
