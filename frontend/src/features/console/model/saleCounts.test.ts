import { describe, expect, it, vi } from 'vitest';
import { KEPT, KILLED, SeatOverlay, SeatStore, type ApiSeat } from '../../seat-map';
import { LiveCounts, bookedIds, changesNeedServerFigures, countSale } from './saleCounts';

function seat(id: number, section: string, category: number, status: ApiSeat['status'], lockedUntil: string | null = null): ApiSeat {
  return { id, label: `${section}${id}`, section, row: 'A', number: id, price: '10.00', status, version: 1, locked_until: lockedUntil, mine: false, category };
}

function store(seats: ApiSeat[]): SeatStore {
  const s = new SeatStore();
  s.loadFromApi(seats);
  return s;
}

describe('the sale counted from the store', () => {
  const seats = store([
    seat(1, 'Stalls', 1, 'available'),
    seat(2, 'Stalls', 1, 'locked', '2099-01-01T00:00:10Z'),
    seat(3, 'Stalls', 2, 'locked', '2099-01-01T00:00:05Z'),
    seat(4, 'Circle', 2, 'reserved'),
    seat(5, 'Circle', 2, 'reserved'),
    seat(6, 'Circle', 1, 'reserved'),
    seat(7, 'Circle', 1, 'paying'),
  ]);

  it('counts each state per category and per section, kept and killed apart from booked, paying apart from both', () => {
    const overlay = new SeatOverlay();
    overlay.setOffSale(new Map([[5, 'kept'], [6, 'killed']]));
    const counts = countSale(seats.seats(), overlay.mark);
    expect(counts.categories.get(1)).toEqual({ free: 1, held: 1, paying: 1, booked: 0, kept: 0, killed: 1 });
    expect(counts.categories.get(2)).toEqual({ free: 0, held: 1, paying: 0, booked: 1, kept: 1, killed: 0 });
    expect([...counts.sections.keys()]).toEqual(['Stalls', 'Circle']);
    expect(counts.sections.get('Circle')).toEqual({ free: 0, held: 0, paying: 1, booked: 1, kept: 1, killed: 1 });
    expect(counts.total).toEqual({ free: 1, held: 2, paying: 1, booked: 1, kept: 1, killed: 1 });
  });

  it('says when the earliest hold lapses, and none when nothing is held', () => {
    expect(countSale(seats.seats(), () => 0).earliestHoldEnds).toBe(Date.parse('2099-01-01T00:00:05Z'));
    expect(countSale(store([seat(1, 'Stalls', 1, 'available')]).seats(), () => 0).earliestHoldEnds).toBeNull();
  });

  it('follows a frame: a seat booked by a buyer moves from held to booked', () => {
    const live = store([seat(1, 'Stalls', 1, 'locked', '2099-01-01T00:00:10Z')]);
    live.applyPushed([{ id: 1, status: 'reserved', version: 2, locked_until: null }]);
    expect(countSale(live.seats(), () => 0).total).toMatchObject({ held: 0, booked: 1 });
  });

  it('counts a seat the off-sale list names but the stream shows released as free', () => {
    const live = store([seat(1, 'Stalls', 1, 'available')]);
    expect(countSale(live.seats(), () => KEPT).total).toMatchObject({ free: 1, kept: 0 });
  });
});

describe('when the server figures are read again', () => {
  const seats = store([seat(1, 'S', 1, 'available'), seat(2, 'S', 1, 'locked', '2099-01-01T00:00:10Z'), seat(3, 'S', 1, 'reserved')]);
  const none = () => 0;

  it('after a booking or a seat taken off sale (a seat now reserved), not after a hold', () => {
    expect(changesNeedServerFigures([2], seats.getSeat, none, new Set())).toBe(false);
    expect(changesNeedServerFigures([1, 2], seats.getSeat, none, new Set())).toBe(false);
    expect(changesNeedServerFigures([3], seats.getSeat, none, new Set())).toBe(true);
  });

  it('after a seat booked is not any more (a cancel, a refund, an order ended unpaid), once', () => {
    const live = store([seat(1, 'S', 1, 'reserved'), seat(2, 'S', 1, 'paying'), seat(3, 'S', 1, 'available')]);
    const booked = bookedIds(live.seats());
    live.applyPushed([
      { id: 1, status: 'available', version: 2, locked_until: null },
      { id: 2, status: 'available', version: 2, locked_until: null },
    ]);
    expect(changesNeedServerFigures([1], live.getSeat, none, booked)).toBe(true);
    expect(changesNeedServerFigures([2], live.getSeat, none, booked)).toBe(true);
    expect(changesNeedServerFigures([1, 2, 3], live.getSeat, none, booked)).toBe(false);
  });

  it('after an order awaiting payment (a seat now paying): the money awaiting and the bookings change', () => {
    const paying = store([seat(4, 'S', 1, 'paying')]);
    expect(changesNeedServerFigures([4], paying.getSeat, none, new Set())).toBe(true);
  });

  it('after a seat the console knew off sale changed (released)', () => {
    expect(changesNeedServerFigures([1], seats.getSeat, (id) => (id === 1 ? KILLED : 0), new Set())).toBe(true);
  });
});

describe('the live counts', () => {
  it('recount once per batch of frames and per change of the overlay, and tell who shows them', () => {
    const live = store([seat(1, 'S', 1, 'available'), seat(2, 'S', 1, 'available')]);
    const overlay = new SeatOverlay();
    const counts = new LiveCounts(live, overlay);
    const told = vi.fn();
    counts.subscribe(told);
    const stop = counts.start();
    told.mockClear();

    live.applyPushed([
      { id: 1, status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z' },
      { id: 2, status: 'reserved', version: 2, locked_until: null },
    ]);
    expect(told).toHaveBeenCalledTimes(1);
    expect(counts.get().total).toMatchObject({ free: 0, held: 1, booked: 1 });

    overlay.setOffSale(new Map([[2, 'kept']]));
    expect(counts.get().total).toMatchObject({ booked: 0, kept: 1 });

    stop();
    live.applyPushed([{ id: 1, status: 'available', version: 3, locked_until: null }]);
    expect(counts.get().total.held).toBe(1);
  });
});
