import { NO_CATEGORY_COLOUR, type CategoryIndex } from './categories';
import type { Seat } from './seat';
import { drawnKind, seatKind, type SeatKind } from './seatKinds';
import type { OffSaleKind, SeatOverlay } from './seatOverlay';
import { seatPaint, type SeatPaint } from './seatPaint';

/** How an amount reads ("€85.00"); the app gives one for the event's currency. */
export type MoneyText = (amount: string) => string;

const plainMoney: MoneyText = (amount) => amount;

export const KIND_TEXT: Record<SeatKind, string> = {
  available: 'available',
  'held-mine': 'held by you',
  'held-other': 'held by someone else',
  'paying-mine': 'in your order, awaiting payment',
  'paying-other': 'being paid for',
  'booked-mine': 'booked by you',
  'booked-other': 'booked',
};

type Spoken = Pick<Seat, 'label' | 'section' | 'price' | 'status' | 'mine'> &
  Partial<Pick<Seat, 'row' | 'number' | 'category' | 'accessible' | 'companion' | 'restrictedView' | 'blocked'>> & {
    /** Off sale, as the console knows it (model/seatOverlay.ts). */
    offSale?: OffSaleKind;
  };

/** What the seat is now, in words: "available", "held by you", ..., "not for sale" (blocked); the console's "kept back", "killed". */
export function stateText(seat: Spoken): string {
  if (seat.offSale === 'kept') return 'kept back';
  if (seat.offSale === 'killed') return 'killed';
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

/** "Premium 85.00", or "85.00" without a (known) category; the amount as `money` writes it. */
export function priceText(seat: Spoken, categories?: CategoryIndex, money: MoneyText = plainMoney): string {
  const category = seat.category != null ? categories?.get(seat.category) : undefined;
  return category ? `${category.name} ${money(seat.price)}` : money(seat.price);
}

/** "Sec 101" for a section the layout numbers, its own name ("Stalls", "Floor") otherwise. */
export function sectionText(section: string): string {
  return /^[A-Za-z]?\d+[A-Za-z]?$/.test(section) ? `Sec ${section}` : section;
}

type Placed = Pick<Seat, 'section' | 'row' | 'number'>;

/** Where a seat is, in the layout's own names: "Sec 101 · Row A · Seat 5". */
export function seatPlace(seat: Placed): string {
  return [sectionText(seat.section), `Row ${seat.row}`, `Seat ${seat.number}`].filter((part) => part !== '').join(' · ');
}

/** "5–8, 10" for seat numbers 5, 6, 7, 8 and 10: sorted, runs joined by an en dash. */
export function numberRuns(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    runs.push(j > i ? `${sorted[i]}\u2013${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return runs.join(', ');
}

/**
 * Several seats, one entry per row, in the order first met: "Sec 101 · Row A · Seats 5–8",
 * "Stalls · Row C · Seat 12".
 */
export function seatPlaces(seats: readonly Placed[]): string[] {
  const rows = new Map<string, { section: string; row: string; numbers: number[] }>();
  for (const seat of seats) {
    const key = `${seat.section}\u0000${seat.row}`;
    let entry = rows.get(key);
    if (!entry) {
      entry = { section: seat.section, row: seat.row, numbers: [] };
      rows.set(key, entry);
    }
    entry.numbers.push(seat.number);
  }
  return [...rows.values()].map(({ section, row, numbers }) => {
    const seatsText = new Set(numbers).size === 1 ? `Seat ${numbers[0]}` : `Seats ${numberRuns(numbers)}`;
    return [sectionText(section), `Row ${row}`, seatsText].filter((part) => part !== '').join(' · ');
  });
}

/**
 * The grid's seat: "A1, Floor, 50.00, available" (the visible label first, WCAG 2.5.3), with the
 * category and flags when the event has them: "A1, Floor, Premium 50.00, available, wheelchair space".
 */
export function seatAriaLabel(seat: Spoken, categories?: CategoryIndex, money?: MoneyText): string {
  return [seat.label, seat.section, priceText(seat, categories, money), stateText(seat), ...seatFlags(seat)].join(', ');
}

/** The room's list view: "Stalls, row C, seat 12, Premium 85.00, available, wheelchair space". */
export function seatSpokenLabel(seat: Spoken, categories?: CategoryIndex, money?: MoneyText): string {
  const where = seat.row !== undefined && seat.number !== undefined ? [seat.section, `row ${seat.row}`, `seat ${seat.number}`] : [seat.label, seat.section];
  return [...where, priceText(seat, categories, money), stateText(seat), ...seatFlags(seat)].join(', ');
}

/** The tooltip on hover or focus: label, where, category and price, state and flags. */
export function seatTooltipLines(seat: Spoken, categories?: CategoryIndex, money: MoneyText = plainMoney): string[] {
  const where = seat.row !== undefined ? `${seat.section} · row ${seat.row}` : seat.section;
  const state = [stateText(seat), ...seatFlags(seat)].join(' · ');
  const category = seat.category != null ? categories?.get(seat.category) : undefined;
  const price = category ? `${category.name} · ${money(seat.price)}` : money(seat.price);
  return [seat.label, where, price, state];
}

/** How a seat button reads: its visible text, its accessible name, its tooltip, its paint. */
export interface SeatTextStyle {
  visible(seat: Seat): string;
  spoken(seat: Seat): string;
  tooltip(seat: Seat): string[];
  /** Drawn as the room's map draws it (category colour, state marks), or in the plain grid styles (undefined). */
  paint?(seat: Seat): SeatPaint | undefined;
}

/** A seat's paint as the room's map draws it: its category's colour, its state's marks. */
function paintBy(categories: CategoryIndex, overlay: SeatOverlay | undefined): (seat: Seat) => SeatPaint {
  return (seat) => {
    const category = seat.category !== null ? categories.get(seat.category) : undefined;
    const kind = overlay ? drawnKind(seat, overlay.mark(seat.id)) : seatKind(seat);
    return seatPaint(kind, category?.colour ?? NO_CATEGORY_COLOUR, category?.ink ?? '#ffffff', seat.accessible);
  };
}

/** The seat as the console's overlay tells it: kept back or killed rather than "booked". */
function marked(seat: Seat, overlay: SeatOverlay | undefined): Spoken {
  if (!overlay) return seat;
  const kind = drawnKind(seat, overlay.mark(seat.id));
  return kind === 'kept' || kind === 'killed' ? { ...seat, offSale: kind } : seat;
}

/**
 * The grid: "A1" on the button, "A1, Floor, €50.00, available" (plus category and flags if
 * known); with the console's overlay, "kept back" and "killed" too. Given the event's
 * categories, painted as the room's map paints its seats (category colour, state marks).
 */
export function gridText(categories?: CategoryIndex, money?: MoneyText, overlay?: SeatOverlay): SeatTextStyle {
  return {
    visible: (seat) => seat.label,
    spoken: (seat) => seatAriaLabel(marked(seat, overlay), categories, money),
    tooltip: (seat) => seatTooltipLines(marked(seat, overlay), categories, money),
    paint: categories ? paintBy(categories, overlay) : undefined,
  };
}

export const GRID_TEXT = gridText();

/**
 * The room's list view: the number on the button (inside its row's group), the full sentence
 * spoken, and painted as the room's map paints the seat (category colour, state marks).
 */
export function listText(categories: CategoryIndex, money?: MoneyText, overlay?: SeatOverlay): SeatTextStyle {
  return {
    visible: (seat) => String(seat.number),
    spoken: (seat) => seatSpokenLabel(marked(seat, overlay), categories, money),
    tooltip: (seat) => seatTooltipLines(marked(seat, overlay), categories, money),
    paint: paintBy(categories, overlay),
  };
}
