/**
 * What an arriving page reads over HTTP (docs/API.md), decoded into what the model needs:
 *
 * - `GET /api/events/{id}/map/`: the static part of every seat, one array per field (the
 *   browser's HTTP cache keeps it across visits and revalidates it with its ETag);
 * - `GET /api/events/{id}/state/`: each seat's state at the stream's `(epoch, seq)`, aligned
 *   with the map's `seats.id`, the point a socket resumes from (PROTOCOL.md "Resuming");
 * - `GET /api/events/{id}/holds/`: the caller's own holds (the state says nothing about who).
 */
import type { components } from '../../../lib/api-types';
import type { ApiCategory } from './categories';
import { inAnOrder, parseInstant, type ApiSeat, type PushedSeat, type SeatInfo, type SeatStatus } from './seat';
import type { ApiLayout, ApiShape } from './venue';

type Schemas = components['schemas'];

/**
 * `map/` (the schema's `SeatPlanOutput`), its shapes as LAYOUT.md states them (the schema
 * leaves them open).
 */
export type ApiSeatMap = Omit<Schemas['SeatPlanOutput'], 'plan'> & {
  plan: (Omit<Schemas['Plan'], 'shapes'> & { shapes: ApiShape[] }) | null;
};

// `state/` and `holds/` are answered on the server's loop; Django's views of them give the schema.
export type ApiSeatStates = Schemas['LiveStateOutput'];
export type ApiOwnHolds = Schemas['OwnHoldsOutput'];

/** The seats' flags, one bit each (API.md, `map/`). */
export const FLAG_ACCESSIBLE = 1;
export const FLAG_COMPANION = 2;
export const FLAG_RESTRICTED_VIEW = 4;
export const FLAG_BLOCKED = 8;

export interface SeatPlan {
  eventId: number;
  /** The event's map version (grows when anything static changes). */
  version: number;
  /** Every seat, in layout order. */
  seats: SeatInfo[];
  /** Seat ids in the map's order: `state/` is aligned with it. */
  ids: number[];
  /** The price categories, in the organiser's order. */
  categories: ApiCategory[];
  /** Where the seats stand and what else is drawn; null for an event that is a plain grid. */
  room: ApiLayout | null;
}

/** Where in the event's stream a state is (PROTOCOL.md). */
export interface StreamPoint {
  epoch: string;
  seq: number;
}

export interface SeatStates extends StreamPoint {
  /** `seats[i]` is the state of the map's `ids[i]`. */
  seats: PushedSeat[];
}

export interface OwnHold {
  id: number;
  /** Epoch milliseconds, or null when the server gave none. */
  until: number | null;
}

export class SeatMapFormatError extends Error {
  constructor(what: string) {
    super(`The seat map could not be read (${what}).`);
    this.name = 'SeatMapFormatError';
  }
}

function column<T>(value: unknown, n: number, name: string): T[] {
  if (!Array.isArray(value) || value.length !== n) throw new SeatMapFormatError(`seats.${name}`);
  return value as T[];
}

/** `map/` → every seat's static info (price and category from its category), and the room. */
export function decodeSeatMap(doc: ApiSeatMap): SeatPlan {
  if (!doc || typeof doc !== 'object' || !doc.seats || !Array.isArray(doc.seats.id)) throw new SeatMapFormatError('seats');
  const ids = doc.seats.id;
  const n = ids.length;
  const labels = column<string>(doc.seats.label, n, 'label');
  const sectionOf = column<number>(doc.seats.section, n, 'section');
  const rows = column<string>(doc.seats.row, n, 'row');
  const numbers = column<number>(doc.seats.number, n, 'number');
  const categoryOf = column<number>(doc.seats.category, n, 'category');
  const flags = column<number>(doc.seats.flags, n, 'flags');
  const sections = Array.isArray(doc.sections) ? doc.sections : [];
  const categories: ApiCategory[] = (Array.isArray(doc.categories) ? doc.categories : []).map((c) => ({
    id: c.id,
    name: c.name,
    price: c.price,
    colour: c.colour ?? null,
  }));

  const seats = new Array<SeatInfo>(n);
  for (let i = 0; i < n; i += 1) {
    const category = categories[categoryOf[i]];
    const f = flags[i];
    seats[i] = {
      id: ids[i],
      label: labels[i],
      section: sections[sectionOf[i]] ?? '',
      row: rows[i],
      number: numbers[i],
      price: category?.price ?? '',
      category: category?.id ?? null,
      accessible: (f & FLAG_ACCESSIBLE) !== 0,
      companion: (f & FLAG_COMPANION) !== 0,
      restrictedView: (f & FLAG_RESTRICTED_VIEW) !== 0,
      blocked: (f & FLAG_BLOCKED) !== 0,
    };
  }

  let room: ApiLayout | null = null;
  const { x, y, rotation } = doc.seats;
  if (doc.plan && Array.isArray(x) && Array.isArray(y)) {
    const xs = column<number>(x, n, 'x');
    const ys = column<number>(y, n, 'y');
    const rotations = Array.isArray(rotation) ? column<number>(rotation, n, 'rotation') : null;
    room = {
      event_id: doc.event_id,
      width: doc.plan.width,
      height: doc.plan.height,
      shapes: Array.isArray(doc.plan.shapes) ? doc.plan.shapes : [],
      seats: ids.map((id, i) => ({ id, x: xs[i], y: ys[i], rotation: rotations ? rotations[i] : 0 })),
    };
  }
  return { eventId: doc.event_id, version: doc.version, seats, ids, categories, room };
}

const STATUS: Record<string, SeatStatus> = { a: 'available', l: 'locked', p: 'paying', r: 'reserved' };

/** `state/` → each seat's state, in the order of the map's `ids`, and where in the stream it is. */
export function decodeSeatStates(doc: ApiSeatStates, ids: readonly number[]): SeatStates {
  if (!doc || typeof doc.epoch !== 'string' || typeof doc.seq !== 'number') throw new SeatMapFormatError('state position');
  const n = ids.length;
  if (typeof doc.status !== 'string' || doc.status.length !== n) throw new SeatMapFormatError('state does not match the map');
  const versions = column<number>(doc.version, n, 'version');
  const until = doc.locked_until ?? {};
  const seats = new Array<PushedSeat>(n);
  for (let i = 0; i < n; i += 1) {
    const status = STATUS[doc.status[i]];
    if (!status) throw new SeatMapFormatError(`status ${doc.status[i]}`);
    const id = ids[i];
    seats[i] = { id, status, version: versions[i], locked_until: status === 'locked' ? (until[id] ?? null) : null };
  }
  return { epoch: doc.epoch, seq: doc.seq, seats };
}

/**
 * The seat list (`seats/`, from the database) as `state/` would say it, in the map's order: for
 * a page that arrives while Redis is gone (API.md "When Redis is gone": `state/` answers 503).
 * It is at no point of the stream (`epoch` ""), so the socket, once it can connect, starts with
 * a snapshot. Also the caller's own seats, which `holds/` cannot tell then either.
 */
export function seatListAsStates(
  seats: readonly ApiSeat[],
  ids: readonly number[],
): { doc: ApiSeatStates; holds: OwnHold[]; booked: number[] } {
  const byId = new Map(seats.map((seat) => [seat.id, seat]));
  const letters: string[] = [];
  const version: number[] = [];
  const lockedUntil: Record<string, string> = {};
  for (const id of ids) {
    const seat = byId.get(id);
    if (!seat) throw new SeatMapFormatError('seat list does not match the map');
    letters.push(seat.status[0]);
    version.push(seat.version);
    if (seat.status === 'locked' && seat.locked_until) lockedUntil[id] = seat.locked_until;
  }
  const mine = seats.filter((seat) => seat.mine);
  return {
    doc: { event_id: 0, epoch: '', seq: 0, seats_total: ids.length, status: letters.join(''), version, locked_until: lockedUntil },
    holds: mine.filter((s) => s.status === 'locked').map((s) => ({ id: s.id, until: parseInstant(s.locked_until ?? null) })),
    booked: mine.filter((s) => inAnOrder(s.status)).map((s) => s.id),
  };
}

/** `holds/` → the caller's holds and booked seats. */
export function decodeOwnHolds(doc: ApiOwnHolds): { holds: OwnHold[]; booked: number[] } {
  if (!doc || !Array.isArray(doc.seats) || !Array.isArray(doc.booked)) throw new SeatMapFormatError('holds');
  return {
    holds: doc.seats.filter((s) => typeof s?.id === 'number').map((s) => ({ id: s.id, until: parseInstant(s.locked_until) })),
    booked: doc.booked.filter((id) => typeof id === 'number'),
  };
}
