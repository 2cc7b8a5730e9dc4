import { describe, expect, it, vi } from 'vitest';
import type { ApiSeat, PushedSeat, SeatLive } from './seat';
import { seatKind } from './seatKinds';
import { expireIfDue, mergeAuthoritative, mergePushed } from './seatRules';
import { SeatStore } from './seatStore';

const T0 = Date.parse('2026-12-22T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function apiSeat(id: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return {
    id,
    label: `A${id}`,
    section: 'Floor',
    row: 'A',
    number: id,
    price: '50.00',
    status: 'available',
    version: 1,
    locked_until: null,
    mine: false,
    ...patch,
  };
}

function push(id: number, status: PushedSeat['status'], version: number, lockedUntil: number | null = null): PushedSeat {
  return { id, status, version, locked_until: lockedUntil === null ? null : iso(lockedUntil) };
}

function storeWith(...seats: ApiSeat[]): SeatStore {
  const store = new SeatStore();
  store.loadFromApi(seats.length ? seats : [apiSeat(1), apiSeat(2), apiSeat(3)]);
  return store;
}

const live = (patch: Partial<SeatLive> = {}): SeatLive => ({
  status: 'available',
  version: 1,
  lockedUntil: null,
  mine: false,
  ...patch,
});

describe('version ordering', () => {
  it('applies a pushed change only when its version is higher', () => {
    const store = storeWith(apiSeat(1, { version: 3 }));
    expect(store.applyPushed([push(1, 'locked', 3, T0)])).toEqual([]);
    expect(store.applyPushed([push(1, 'locked', 2, T0)])).toEqual([]);
    expect(store.getSeat(1)?.status).toBe('available');
    expect(store.applyPushed([push(1, 'locked', 4, T0)])).toEqual([1]);
    expect(store.getSeat(1)).toMatchObject({ status: 'locked', version: 4, lockedUntil: T0 });
  });

  it('never lets a late message turn a seat back', () => {
    const store = storeWith();
    store.applyPushed([push(1, 'locked', 2, T0)]);
    store.applyPushed([push(1, 'reserved', 3)]);
    store.applyPushed([push(1, 'locked', 2, T0)]); // arrives late
    store.applyPushed([push(1, 'reserved', 3)]); // arrives twice
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 3 });
  });

  it('lets an authoritative answer of the same version add what the socket cannot say (mine)', () => {
    expect(mergeAuthoritative(live({ status: 'locked', version: 4 }), live({ status: 'locked', version: 4, mine: true })))
      .toMatchObject({ mine: true });
    expect(mergeAuthoritative(live({ version: 5 }), live({ status: 'locked', version: 4, mine: true }))).toBeNull();
    expect(mergeAuthoritative(live({ version: 4 }), live({ version: 4 }))).toBeNull();
  });

  it('ignores an older HTTP list that arrives after newer pushes', () => {
    const store = storeWith(apiSeat(1));
    store.applyPushed([push(1, 'reserved', 5)]);
    store.loadFromApi([apiSeat(1, { status: 'locked', version: 4, locked_until: iso(T0), mine: true })]);
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 5, mine: false });
  });

  it('ignores pushed seats that are not in the loaded layout', () => {
    const store = storeWith(apiSeat(1));
    expect(store.applyPushed([push(99, 'locked', 2, T0)])).toEqual([]);
    expect(store.has(99)).toBe(false);
  });
});

describe('whose seat it is', () => {
  it('takes mine from the HTTP list', () => {
    const store = storeWith(
      apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }),
      apiSeat(2, { status: 'locked', version: 2, locked_until: iso(T0), mine: false }),
      apiSeat(3, { status: 'reserved', version: 3, mine: true }),
    );
    expect(seatKind(store.getSeat(1)!)).toBe('held-mine');
    expect(seatKind(store.getSeat(2)!)).toBe('held-other');
    expect(seatKind(store.getSeat(3)!)).toBe('booked-mine');
  });

  it('treats a pushed lock nobody here asked for as someone else\'s', () => {
    const store = storeWith();
    store.applyPushed([push(1, 'locked', 2, T0)]);
    expect(seatKind(store.getSeat(1)!)).toBe('held-other');
  });

  it('treats a pushed lock that overtakes our own lock answer as ours, then confirms it', () => {
    const store = storeWith();
    store.beginAction(1, 'lock');
    store.applyPushed([push(1, 'locked', 2, T0)]);
    expect(store.getSeat(1)).toMatchObject({ mine: true, busy: true });
    expect(store.isTentative(1)).toBe(true);
    store.applyOwnAnswer(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.endAction(1, true);
    expect(store.getSeat(1)).toMatchObject({ status: 'locked', mine: true, busy: false });
    expect(store.isTentative(1)).toBe(false);
  });

  it('undoes that guess when our lock fails (someone else won the race)', () => {
    const store = storeWith();
    store.beginAction(1, 'lock');
    store.applyPushed([push(1, 'locked', 2, T0)]);
    store.endAction(1, false);
    expect(seatKind(store.getSeat(1)!)).toBe('held-other');
  });

  it('clears mine when a seat we hold is pushed to another state we did not cause', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    // our lock lapsed and someone else locked it (the sweeper's push was lost)
    store.applyPushed([push(1, 'locked', 3, T0 + 300_000)]);
    expect(seatKind(store.getSeat(1)!)).toBe('held-other');
  });

  it('keeps an order\u2019s seats ours from paying to booked, and someone else\u2019s theirs', () => {
    const store = storeWith(apiSeat(1, { status: 'paying', version: 3, mine: true }), apiSeat(2));
    store.applyPushed([push(1, 'reserved', 4), push(2, 'paying', 2)]);
    expect(seatKind(store.getSeat(1)!)).toBe('booked-mine');
    expect(seatKind(store.getSeat(2)!)).toBe('paying-other');
    store.applyPushed([push(2, 'available', 3)]); // its window ended unpaid
    expect(seatKind(store.getSeat(2)!)).toBe('available');
  });

  it('clears mine when a seat we hold is pushed available (expiry or unlock)', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.applyPushed([push(1, 'available', 3)]);
    expect(store.getSeat(1)).toMatchObject({ status: 'available', mine: false });
    expect(store.getHeld()).toEqual([]);
  });

  it('keeps mine when the next change of a seat we hold is a booking: only the holder can book', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.applyPushed([push(1, 'reserved', 3)]);
    expect(seatKind(store.getSeat(1)!)).toBe('booked-mine');
  });

  it('does not claim a booking that came after changes we missed', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.applyPushed([push(1, 'reserved', 5)]);
    expect(seatKind(store.getSeat(1)!)).toBe('booked-other');
  });

  it('marks a booking pushed during our own reserve as ours, and undoes it if the reserve fails', () => {
    const store = storeWith(apiSeat(1, { version: 7 }));
    store.beginAction(1, 'reserve');
    store.applyPushed([push(1, 'reserved', 9)]);
    expect(seatKind(store.getSeat(1)!)).toBe('booked-mine');
    store.endAction(1, false);
    expect(seatKind(store.getSeat(1)!)).toBe('booked-other');
  });

  it('books our held seats at their lock version + 1 when the reserve answer comes first', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.applyOwnReservation([1]);
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 3, mine: true, lockedUntil: null });
    store.applyPushed([push(1, 'reserved', 3)]); // the booking's own push: same version, ignored
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 3, mine: true });
    store.applyPushed([push(1, 'available', 4)]); // later cancelled
    expect(store.getSeat(1)).toMatchObject({ status: 'available', mine: false });
  });

  it('unlock answers and pushes agree whichever comes first', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.beginAction(1, 'unlock');
    store.applyPushed([push(1, 'available', 3)]);
    store.applyOwnAnswer(apiSeat(1, { status: 'available', version: 3 }));
    store.endAction(1, true);
    expect(store.getSeat(1)).toMatchObject({ status: 'available', version: 3, mine: false, busy: false });
  });

  it('marks a seat not mine after a refused lock', () => {
    const store = storeWith();
    store.beginAction(1, 'lock');
    store.applyPushed([push(1, 'locked', 2, T0)]);
    store.markNotMine(1);
    store.endAction(1, false);
    expect(seatKind(store.getSeat(1)!)).toBe('held-other');
  });

  it('does not let an HTTP list read before our own action overwrite what the action does', () => {
    const store = storeWith(apiSeat(1, { version: 1 }));
    store.beginAction(1, 'lock');
    store.applyOwnAnswer(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.loadFromApi([apiSeat(1, { version: 1 })]);
    store.endAction(1, true);
    expect(seatKind(store.getSeat(1)!)).toBe('held-mine');
  });
});

describe('expiry', () => {
  it('frees a lock at locked_until, whoever holds it', () => {
    expect(expireIfDue(live({ status: 'locked', lockedUntil: T0, mine: true, version: 2 }), T0 - 1)).toBeNull();
    expect(expireIfDue(live({ status: 'locked', lockedUntil: T0, mine: true, version: 2 }), T0)).toEqual(
      live({ status: 'available', version: 2 }),
    );
    const store = storeWith(
      apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }),
      apiSeat(2, { status: 'locked', version: 2, locked_until: iso(T0 + 60_000) }),
    );
    expect(store.expire(T0 + 1)).toEqual([{ id: 1, wasMine: true }]);
    expect(store.getSeat(1)?.status).toBe('available');
    expect(store.getSeat(2)?.status).toBe('locked');
    // the sweeper's push follows with version + 1
    store.applyPushed([push(1, 'available', 3)]);
    expect(store.getSeat(1)).toMatchObject({ status: 'available', version: 3 });
  });
});

describe('subscriptions', () => {
  it('tells only the changed seat\'s subscribers', () => {
    const store = storeWith();
    const one = vi.fn();
    const two = vi.fn();
    store.subscribeSeat(1, one);
    store.subscribeSeat(2, two);
    store.applyPushed([push(1, 'locked', 2, T0)]);
    expect(one).toHaveBeenCalledTimes(1);
    expect(two).not.toHaveBeenCalled();
  });

  it('keeps the snapshot object stable when nothing changed (useSyncExternalStore)', () => {
    const store = storeWith();
    const before = store.getSeat(1);
    store.applyPushed([push(1, 'available', 1)]);
    expect(store.getSeat(1)).toBe(before);
  });

  it('tells basket subscribers when the held set changes, with a stable list between changes', () => {
    const store = storeWith();
    const basket = vi.fn();
    store.subscribeHeld(basket);
    store.applyPushed([push(2, 'locked', 2, T0)]); // someone else
    expect(basket).not.toHaveBeenCalled();
    store.beginAction(1, 'lock');
    store.applyOwnAnswer(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    store.endAction(1, true);
    expect(basket).toHaveBeenCalled();
    const held = store.getHeld();
    expect(held.map((s) => s.label)).toEqual(['A1']);
    expect(store.getHeld()).toBe(held);
  });

  it('notifies once per seat for a whole batch', () => {
    const store = storeWith();
    const one = vi.fn();
    store.subscribeSeat(1, one);
    store.applyPushed([push(1, 'locked', 2, T0), push(1, 'reserved', 3), push(1, 'available', 4)]);
    expect(one).toHaveBeenCalledTimes(1);
    expect(store.getSeat(1)?.version).toBe(4);
  });
});

describe('mergePushed (the rule table)', () => {
  const mineLocked = live({ status: 'locked', version: 2, lockedUntil: T0, mine: true });
  it.each([
    ['available always clears mine', mineLocked, push(1, 'available', 3), undefined, false],
    ['a lock while our lock is in flight is ours (tentatively)', live(), push(1, 'locked', 2, T0), 'lock', true],
    ['a lock while our unlock is in flight is not', mineLocked, push(1, 'locked', 3, T0), 'unlock', false],
    ['a booking right after our own lock is ours', mineLocked, push(1, 'reserved', 3), undefined, true],
    ['a booking two changes after our lock is not', mineLocked, push(1, 'reserved', 4), undefined, false],
    ['a booking while our reserve is in flight is ours (tentatively)', live({ version: 5 }), push(1, 'reserved', 6), 'reserve', true],
  ] as const)('%s', (_name, current, change, pending, mine) => {
    expect(mergePushed(current, change, pending)?.next.mine).toBe(mine);
  });
});

describe('holds lost without our own action', () => {
  const heldMine = () => apiSeat(1, { status: 'locked', version: 2, locked_until: iso(T0), mine: true });

  it('reports a hold that ran out by the clock or by the sweeper\'s push', () => {
    const byClock = storeWith(heldMine(), apiSeat(2));
    const lostByClock = vi.fn();
    byClock.subscribeHoldLost(lostByClock);
    byClock.expire(T0);
    expect(lostByClock).toHaveBeenCalledWith([1]);

    const byPush = storeWith(heldMine(), apiSeat(2));
    const lostByPush = vi.fn();
    byPush.subscribeHoldLost(lostByPush);
    byPush.applyPushed([push(1, 'available', 3)]);
    expect(lostByPush).toHaveBeenCalledWith([1]);
  });

  it('stays quiet for a hold the buyer booked or ordered in another tab', () => {
    const store = storeWith(heldMine(), apiSeat(2, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    const lost = vi.fn();
    store.subscribeHoldLost(lost);
    store.applyPushed([push(1, 'reserved', 3), push(2, 'paying', 3)]);
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', mine: true });
    expect(store.getSeat(2)).toMatchObject({ status: 'paying', mine: true });
    expect(lost).not.toHaveBeenCalled();
  });

  it('stays quiet for our own release and booking', () => {
    const store = storeWith(heldMine(), apiSeat(2, { status: 'locked', version: 2, locked_until: iso(T0), mine: true }));
    const lost = vi.fn();
    store.subscribeHoldLost(lost);
    store.beginAction(1, 'unlock');
    store.applyPushed([push(1, 'available', 3)]);
    store.endAction(1, true);
    store.beginAction(2, 'reserve');
    store.applyOwnReservation([2]);
    store.endAction(2, true);
    expect(lost).not.toHaveBeenCalled();
  });
});

describe('whose seats, from holds/ and the bookings (the state and the socket never say)', () => {
  const until = T0 + 300_000;

  it('a seat shown held with the very end of one of the buyer\'s holds becomes theirs (another tab\'s hold)', () => {
    const store = storeWith(apiSeat(1), apiSeat(2));
    store.applyPushed([push(1, 'locked', 2, until), push(2, 'locked', 2, until + 1_000)]);
    expect(store.getSeat(1)?.mine).toBe(false);
    store.applyOwnHolds([{ id: 1, until }]);
    expect(store.getSeat(1)).toMatchObject({ status: 'locked', mine: true });
    expect(store.getSeat(2)?.mine).toBe(false); // someone else's hold of another end
    expect(store.getHeld().map((s) => s.id)).toEqual([1]);
  });

  it('a hold the socket has not shown yet is theirs when it comes; another\'s lock is not', () => {
    const store = storeWith(apiSeat(1), apiSeat(2));
    store.applyOwnHolds([{ id: 1, until }, { id: 2, until }]);
    expect(store.getSeat(1)).toMatchObject({ status: 'available', mine: false });
    store.applyPushed([push(1, 'locked', 2, until), push(2, 'locked', 2, until + 5)]);
    expect(store.getSeat(1)).toMatchObject({ status: 'locked', mine: true });
    expect(store.isTentative(1)).toBe(false);
    expect(store.getSeat(2)?.mine).toBe(false);
  });

  it('a hold shown as theirs that holds/ leaves out is not theirs any more, unless it changed meanwhile', () => {
    const store = storeWith(
      apiSeat(1, { status: 'locked', version: 2, locked_until: iso(until), mine: true }),
      apiSeat(2, { status: 'locked', version: 2, locked_until: iso(until), mine: true }),
      apiSeat(3, { status: 'locked', version: 2, locked_until: iso(until), mine: true }),
    );
    const lost = vi.fn();
    store.subscribeHoldLost(lost);
    const before = store.ownHoldVersions();
    expect([...before]).toEqual([[1, 2], [2, 2], [3, 2]]);
    // While holds/ was on the way, this tab extended seat 3 (a new version).
    store.beginAction(3, 'extend');
    store.applyPushed([push(3, 'locked', 3, until + 60_000)]);
    store.endAction(3, true);
    store.applyOwnHolds([{ id: 1, until }], before);
    expect(store.getSeat(1)?.mine).toBe(true);
    expect(store.getSeat(2)?.mine).toBe(false);
    expect(store.getSeat(3)?.mine).toBe(true);
    expect(lost).toHaveBeenCalledWith([2]);
  });

  it('leaves a seat with a request of this tab in flight to that request', () => {
    const store = storeWith(apiSeat(1, { status: 'locked', version: 2, locked_until: iso(until), mine: true }));
    const before = store.ownHoldVersions();
    store.beginAction(1, 'unlock');
    store.applyOwnHolds([], before);
    expect(store.getSeat(1)?.mine).toBe(true);
  });

  it('booked seats of the buyer\'s reservations are theirs, now or when the socket shows them booked', () => {
    const store = storeWith(apiSeat(1, { status: 'reserved', version: 3 }), apiSeat(2), apiSeat(3, { status: 'reserved', version: 2 }));
    store.applyOwnBookings([1, 2]);
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', mine: true });
    expect(store.getSeat(2)).toMatchObject({ status: 'available', mine: false });
    expect(store.getSeat(3)?.mine).toBe(false);
    store.applyPushed([push(2, 'reserved', 3)]);
    expect(store.getSeat(2)).toMatchObject({ status: 'reserved', mine: true });
    // Cancelled later and booked by someone else: no longer theirs.
    store.applyPushed([push(2, 'available', 4), push(2, 'reserved', 5)]);
    store.applyPushed([push(2, 'reserved', 6)]);
    expect(store.getSeat(2)?.mine).toBe(false);
  });

  it('a hold learnt before the map came is theirs when the map and state load', () => {
    const store = new SeatStore();
    store.applyOwnHolds([{ id: 1, until }]);
    store.loadPlan(
      [{ id: 1, label: 'A1', section: 'Floor', row: 'A', number: 1, price: '50.00', category: 3, accessible: false, companion: false, restrictedView: false, blocked: false }],
      [push(1, 'locked', 2, until)],
    );
    expect(store.getSeat(1)).toMatchObject({ status: 'locked', mine: true });
  });

  it('the map and state loaded again take the state by version and the map\'s new price', () => {
    const info = { id: 1, label: 'A1', section: 'Floor', row: 'A', number: 1, price: '50.00', category: 3, accessible: false, companion: false, restrictedView: false, blocked: false };
    const store = new SeatStore();
    store.loadPlan([info], [push(1, 'locked', 4, until)]);
    expect(store.loadPlan([{ ...info, price: '60.00' }], [push(1, 'available', 3)])).toEqual([1]);
    expect(store.getSeat(1)).toMatchObject({ price: '60.00', status: 'locked', version: 4 });
    expect(store.loadPlan([{ ...info, price: '60.00' }], [push(1, 'locked', 4, until)])).toEqual([]);
  });
});
