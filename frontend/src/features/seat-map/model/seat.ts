/**
 * A seat: its static info (from the map), its live state (from the stream and this user's own
 * calls), and the making of one in a single object shape.
 */
import type { components } from '../../../lib/api-types';
import type { SeatChange } from '../../../lib/protocol-types';

export type SeatStatus = components['schemas']['SeatOutputStatusEnum'];

/** In an order: booked (`reserved`), or awaiting its payment (`paying`, API.md "Paying"). */
export function inAnOrder(status: SeatStatus): boolean {
  return status === 'reserved' || status === 'paying';
}

type SeatOutput = components['schemas']['SeatOutput'];
/** What the model can do without (older answers and the tests' plain grids): read as a grid seat's. */
type Optional = 'mine' | 'category' | 'accessible' | 'companion' | 'restricted_view' | 'blocked';

/** A seat as `GET /api/events/{id}/seats/` and the lock/unlock answers give it (the schema's `SeatOutput`). */
export type ApiSeat = Omit<SeatOutput, Optional> & Partial<Pick<SeatOutput, Optional>>;

/** A seat as the socket pushes it (realtime/protocol.schema.json's SeatChange). */
export type PushedSeat = SeatChange;

export interface SeatLive {
  status: SeatStatus;
  version: number;
  /** Epoch milliseconds, or null when not locked. */
  lockedUntil: number | null;
  mine: boolean;
}

export interface SeatInfo {
  id: number;
  label: string;
  section: string;
  row: string;
  number: number;
  price: string;
  category: number | null;
  accessible: boolean;
  companion: boolean;
  restrictedView: boolean;
  blocked: boolean;
}

/** What a component renders: replaced, never mutated, when anything about the seat changes. */
export interface Seat extends SeatInfo, SeatLive {
  /** This user's own request about the seat is in flight. */
  busy: boolean;
}

export function parseInstant(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function liveFromApi(seat: ApiSeat): SeatLive {
  return {
    status: seat.status,
    version: seat.version,
    lockedUntil: seat.status === 'locked' ? parseInstant(seat.locked_until) : null,
    mine: seat.status !== 'available' && Boolean(seat.mine),
  };
}

/**
 * The same seat as an object literal with a fixed key order. Seats are made by spreading
 * (`{ ...current, ...next }`), which leaves V8 with slow, dictionary-like objects: reading
 * 20,000 of them for a canvas frame took ~12 ms; with one shape it takes ~0.5 ms.
 */
export function literalSeat(s: Seat): Seat {
  return {
    id: s.id,
    label: s.label,
    section: s.section,
    row: s.row,
    number: s.number,
    price: s.price,
    category: s.category,
    accessible: s.accessible,
    companion: s.companion,
    restrictedView: s.restrictedView,
    blocked: s.blocked,
    status: s.status,
    version: s.version,
    lockedUntil: s.lockedUntil,
    mine: s.mine,
    busy: s.busy,
  };
}

/**
 * A seat in one shape from its static info and its state, without the intermediate objects of
 * `{ ...a, ...b }`: spreading 20,000 seats (a snapshot, the map on arrival) took ~300 ms of
 * main thread; this takes ~15 ms.
 */
export function makeSeat(info: SeatInfo, live: SeatLive, busy: boolean): Seat {
  return {
    id: info.id,
    label: info.label,
    section: info.section,
    row: info.row,
    number: info.number,
    price: info.price,
    category: info.category,
    accessible: info.accessible,
    companion: info.companion,
    restrictedView: info.restrictedView,
    blocked: info.blocked,
    status: live.status,
    version: live.version,
    lockedUntil: live.lockedUntil,
    mine: live.mine,
    busy,
  };
}

export function arrivedSeat(info: SeatInfo, state: PushedSeat, mine: boolean): Seat {
  const lockedUntil = state.status === 'locked' ? parseInstant(state.locked_until) : null;
  return makeSeat(info, { status: state.status, version: state.version, lockedUntil, mine }, false);
}

const INFO_KEYS = ['label', 'section', 'row', 'number', 'price', 'category', 'accessible', 'companion', 'restrictedView', 'blocked'] as const;

export function sameInfo(a: SeatInfo, b: SeatInfo): boolean {
  return INFO_KEYS.every((key) => a[key] === b[key]);
}

export function infoOf(seat: ApiSeat): SeatInfo {
  return {
    id: seat.id,
    label: seat.label,
    section: seat.section,
    row: seat.row,
    number: seat.number,
    price: seat.price,
    category: seat.category ?? null,
    accessible: Boolean(seat.accessible),
    companion: Boolean(seat.companion),
    restrictedView: Boolean(seat.restricted_view),
    blocked: Boolean(seat.blocked),
  };
}
