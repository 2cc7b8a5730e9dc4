/**
 * The sale as the console counts it, in the browser, from the live store: per price category
 * and per section, how many seats are free, held, being paid for, booked, kept back and killed, and when the
 * earliest hold lapses. Recounted on every batch of frames (a pass over the seats: ~1 ms for
 * the arena's 20,000), so the counts move with the same frame as the map, with no request.
 */
import { Listeners } from '../../../lib/listeners';
import { KEPT, KILLED, drawnKind, type DrawnKind, type Seat, type SeatOverlay, type SeatStore } from '../../seat-map';

export const SALE_STATES = ['free', 'held', 'paying', 'booked', 'kept', 'killed'] as const;
export type SaleState = (typeof SALE_STATES)[number];
export type StateCounts = Record<SaleState, number>;

const STATE_OF: Record<DrawnKind, SaleState> = {
  available: 'free',
  'held-mine': 'held',
  'held-other': 'held',
  'paying-mine': 'paying',
  'paying-other': 'paying',
  'booked-mine': 'booked',
  'booked-other': 'booked',
  kept: 'kept',
  killed: 'killed',
};

export interface SaleCounts {
  /** By category id (null: a seat without one), in the order the seats were loaded. */
  categories: Map<number | null, StateCounts>;
  /** By section name, in layout order. */
  sections: Map<string, StateCounts>;
  total: StateCounts;
  /** When the earliest hold lapses (epoch ms), or null when nothing is held. */
  earliestHoldEnds: number | null;
}

const zero = (): StateCounts => ({ free: 0, held: 0, paying: 0, booked: 0, kept: 0, killed: 0 });

function bump<K>(map: Map<K, StateCounts>, key: K, state: SaleState): void {
  let counts = map.get(key);
  if (!counts) {
    counts = zero();
    map.set(key, counts);
  }
  counts[state] += 1;
}

/** What a seat is in the sale's counts: its state, with the console's marks (model/seatOverlay.ts). */
export function saleState(seat: Seat, mark: number): SaleState {
  return STATE_OF[drawnKind(seat, mark)];
}

export function countSale(seats: Iterable<Seat>, mark: (id: number) => number): SaleCounts {
  const counts: SaleCounts = { categories: new Map(), sections: new Map(), total: zero(), earliestHoldEnds: null };
  for (const seat of seats) {
    const state = saleState(seat, mark(seat.id));
    bump(counts.categories, seat.category, state);
    bump(counts.sections, seat.section, state);
    counts.total[state] += 1;
    if (seat.status === 'locked' && seat.lockedUntil !== null && (counts.earliestHoldEnds === null || seat.lockedUntil < counts.earliestHoldEnds)) {
      counts.earliestHoldEnds = seat.lockedUntil;
    }
  }
  return counts;
}

const BOOKED: readonly string[] = ['reserved', 'paying'];

/** The ids of the seats booked (`reserved`) or awaiting payment (`paying`). */
export function bookedIds(seats: Iterable<Seat>): Set<number> {
  return new Set([...seats].filter((seat) => BOOKED.includes(seat.status)).map((seat) => seat.id));
}

/**
 * Whether changed seats may have changed what only the server knows (money taken, bookings a
 * minute, which seats are kept back or killed): a seat now `reserved` (a booking, a sale, a seat
 * taken off sale) or `paying` (an order awaiting payment), one that was (a cancel, a refund, an
 * order ended unpaid: `booked`, the ids known so, kept here), or one the console knew off sale
 * (released). Holds and lapses do not.
 */
export function changesNeedServerFigures(ids: readonly number[], seat: (id: number) => Seat | undefined, mark: (id: number) => number, booked: Set<number>): boolean {
  let need = false;
  for (const id of ids) {
    const now = BOOKED.includes(seat(id)?.status ?? '');
    need ||= now || booked.has(id) || (mark(id) & (KEPT | KILLED)) !== 0;
    if (now) booked.add(id);
    else booked.delete(id);
  }
  return need;
}

/**
 * The counts kept current: recounted once per batch of the store's changes (a frame, a lapse,
 * the map loaded) and per change of the overlay, and told to whoever shows them, so that the
 * rest of the console does not render with every frame.
 */
export class LiveCounts {
  private counts: SaleCounts;
  private listeners = new Listeners();

  constructor(
    private readonly store: SeatStore,
    private readonly overlay: SeatOverlay,
  ) {
    this.counts = countSale(store.seats(), overlay.mark);
  }

  get = (): SaleCounts => this.counts;

  subscribe = this.listeners.subscribe;

  /** Follows the store and the overlay until the returned function is called. */
  start(): () => void {
    const recount = () => {
      this.counts = countSale(this.store.seats(), this.overlay.mark);
      this.listeners.tell();
    };
    const stops = [this.store.subscribeChanges(recount), this.store.subscribePlan(recount), this.overlay.subscribeChanges(recount)];
    recount();
    return () => stops.forEach((stop) => stop());
  }
}
