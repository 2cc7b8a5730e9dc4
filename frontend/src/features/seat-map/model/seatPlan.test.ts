import { describe, expect, it } from 'vitest';
import { decodeOwnHolds, decodeSeatMap, decodeSeatStates, SeatMapFormatError, type ApiSeatMap, type ApiSeatStates } from './seatPlan';
import { SeatStore } from './seatStore';

/** API.md's example of `map/`, a room. */
const ROOM: ApiSeatMap = {
  event_id: 1,
  version: 4,
  seats_total: 3,
  plan: { width: 1200, height: 900, shapes: [{ kind: 'rect', x: 450, y: 20, width: 300, height: 60, label: 'Stage', role: 'stage' }] },
  categories: [
    { id: 3, name: 'Premium', price: '85.00', colour: '#8e44ad' },
    { id: 4, name: 'Standard', price: '55.00', colour: '#2471a3' },
  ],
  sections: ['Stalls'],
  seats: {
    id: [5, 6, 7],
    label: ['A1', 'A2', 'A3'],
    section: [0, 0, 0],
    row: ['A', 'A', 'A'],
    number: [1, 2, 3],
    category: [0, 0, 1],
    flags: [1, 2, 0],
    x: [412.5, 430, 447.5],
    y: [300, 300, 300],
    rotation: [-4, 0, 4],
  },
};

/** A plain grid: no plan, no positions. */
const GRID: ApiSeatMap = {
  event_id: 2,
  version: 1,
  seats_total: 4,
  plan: null,
  categories: [{ id: 9, name: 'Standard', price: '50.00', colour: '#123456' }],
  sections: ['Left', 'Right'],
  seats: {
    id: [11, 12, 13, 14],
    label: ['A1', 'A2', 'A1', 'A2'],
    section: [0, 0, 1, 1],
    row: ['A', 'A', 'A', 'A'],
    number: [1, 2, 1, 2],
    category: [0, 0, 0, 0],
    flags: [0, 4, 8, 15],
  },
};

/** API.md's example of `state/`, aligned with ROOM. */
const STATE: ApiSeatStates = {
  event_id: 1,
  epoch: 'k3f9',
  seq: 120,
  seats_total: 3,
  status: 'alr',
  version: [3, 1, 0],
  locked_until: { '6': '2026-12-22T10:05:00Z' },
};

describe('decodeSeatMap: the columns of map/ as seats', () => {
  it('gives each seat its label, place, category and price, and flags', () => {
    const plan = decodeSeatMap(ROOM);
    expect(plan).toMatchObject({ eventId: 1, version: 4, ids: [5, 6, 7] });
    expect(plan.seats).toEqual([
      { id: 5, label: 'A1', section: 'Stalls', row: 'A', number: 1, price: '85.00', category: 3, accessible: true, companion: false, restrictedView: false, blocked: false },
      { id: 6, label: 'A2', section: 'Stalls', row: 'A', number: 2, price: '85.00', category: 3, accessible: false, companion: true, restrictedView: false, blocked: false },
      { id: 7, label: 'A3', section: 'Stalls', row: 'A', number: 3, price: '55.00', category: 4, accessible: false, companion: false, restrictedView: false, blocked: false },
    ]);
    expect(plan.categories).toEqual([
      { id: 3, name: 'Premium', price: '85.00', colour: '#8e44ad' },
      { id: 4, name: 'Standard', price: '55.00', colour: '#2471a3' },
    ]);
  });

  it('gives the room: its size, shapes and where each seat stands', () => {
    expect(decodeSeatMap(ROOM).room).toEqual({
      event_id: 1,
      width: 1200,
      height: 900,
      shapes: ROOM.plan!.shapes,
      seats: [
        { id: 5, x: 412.5, y: 300, rotation: -4 },
        { id: 6, x: 430, y: 300, rotation: 0 },
        { id: 7, x: 447.5, y: 300, rotation: 4 },
      ],
    });
  });

  it('has no room for a plain grid; sections by index; every flag bit', () => {
    const plan = decodeSeatMap(GRID);
    expect(plan.room).toBeNull();
    expect(plan.seats.map((s) => [s.section, s.label])).toEqual([
      ['Left', 'A1'],
      ['Left', 'A2'],
      ['Right', 'A1'],
      ['Right', 'A2'],
    ]);
    expect(plan.seats.map((s) => [s.accessible, s.companion, s.restrictedView, s.blocked])).toEqual([
      [false, false, false, false],
      [false, false, true, false],
      [false, false, false, true],
      [true, true, true, true],
    ]);
  });

  it('refuses columns of different lengths', () => {
    expect(() => decodeSeatMap({ ...ROOM, seats: { ...ROOM.seats, label: ['A1'] } })).toThrow(SeatMapFormatError);
    expect(() => decodeSeatMap({ ...ROOM, seats: { ...ROOM.seats, x: [1, 2] } })).toThrow(SeatMapFormatError);
    expect(() => decodeSeatMap('<!doctype html>' as unknown as ApiSeatMap)).toThrow(SeatMapFormatError);
  });
});

describe('decodeSeatStates: state/ as the seats of the map', () => {
  it('gives each seat of the map its state, by position, and the stream point', () => {
    expect(decodeSeatStates(STATE, [5, 6, 7])).toEqual({
      epoch: 'k3f9',
      seq: 120,
      seats: [
        { id: 5, status: 'available', version: 3, locked_until: null },
        { id: 6, status: 'locked', version: 1, locked_until: '2026-12-22T10:05:00Z' },
        { id: 7, status: 'reserved', version: 0, locked_until: null },
      ],
    });
  });

  it('refuses a state that does not match the map (seats added between the two reads)', () => {
    expect(() => decodeSeatStates(STATE, [5, 6, 7, 8])).toThrow(SeatMapFormatError);
    expect(() => decodeSeatStates({ ...STATE, version: [1, 2] }, [5, 6, 7])).toThrow(SeatMapFormatError);
    expect(() => decodeSeatStates({ ...STATE, status: 'axr' }, [5, 6, 7])).toThrow(SeatMapFormatError);
  });

  it('loads the store: the map\'s seats in the state it gives, nobody\'s', () => {
    const plan = decodeSeatMap(ROOM);
    const store = new SeatStore();
    store.loadPlan(plan.seats, decodeSeatStates(STATE, plan.ids).seats);
    expect(store.getSeat(5)).toMatchObject({ label: 'A1', price: '85.00', category: 3, accessible: true, status: 'available', version: 3, mine: false });
    expect(store.getSeat(6)).toMatchObject({ status: 'locked', version: 1, lockedUntil: Date.parse('2026-12-22T10:05:00Z'), mine: false });
    expect(store.getSeat(7)).toMatchObject({ status: 'reserved', version: 0, price: '55.00', mine: false });
    expect(store.getHeld()).toEqual([]);
  });
});

describe('decodeOwnHolds: holds/ as seat ids and ends, and the booked seats', () => {
  it('gives each held seat and when its hold ends, and each booked seat', () => {
    // A hold without an end is not what the server sends (its schema says so), but it is decoded as one that never ends.
    const doc = { event_id: 1, seats: [{ id: 6, locked_until: '2026-12-22T10:05:00Z' }, { id: 9, locked_until: null }], booked: [3, 4] };
    expect(decodeOwnHolds(doc as never)).toEqual({
      holds: [
        { id: 6, until: Date.parse('2026-12-22T10:05:00Z') },
        { id: 9, until: null },
      ],
      booked: [3, 4],
    });
  });

  it('refuses something else', () => {
    expect(() => decodeOwnHolds({ event_id: 1 } as never)).toThrow(SeatMapFormatError);
    expect(() => decodeOwnHolds({ event_id: 1, seats: [] } as never)).toThrow(SeatMapFormatError);
  });
});
