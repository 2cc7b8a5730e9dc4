import { formatCents, toCents } from '../../../lib/money';
import type { Seat } from '../../seat-map';

export interface BasketSummary {
  seatIds: number[];
  count: number;
  /** Decimal string, two places. */
  total: string;
  /** The earliest lock end among the held seats (epoch ms), or null. */
  firstExpiry: number | null;
}

/** Totals in integer cents: "0.10" + "0.20" is "0.30", exactly. */
export function summariseBasket(held: readonly Seat[]): BasketSummary {
  let cents = 0;
  let firstExpiry: number | null = null;
  for (const seat of held) {
    cents += toCents(seat.price);
    if (seat.lockedUntil !== null && (firstExpiry === null || seat.lockedUntil < firstExpiry)) {
      firstExpiry = seat.lockedUntil;
    }
  }
  return { seatIds: held.map((s) => s.id), count: held.length, total: formatCents(cents), firstExpiry };
}
