/**
 * The live state of one event's seats, as this browser knows it.
 *
 * Four sources feed it:
 * - on arrival, the static map (`GET /api/events/{id}/map/`) and the state at a point of the
 *   stream (`state/`), silent about who holds a seat, as the socket is (model/seatPlan.ts);
 * - what only this user's own calls know: the answers to their lock / unlock / reserve calls
 *   (authoritative), their holds (`holds/`) and their bookings (`GET /api/reservations/`);
 * - the socket's `snapshot` and `seats` messages: newer or older than what we hold, possibly
 *   twice, and silent about who holds a seat;
 * - the clock: a lock ends at `locked_until` whether or not the sweeper has said so yet.
 *
 * Rules:
 * 1. A change is applied only when its `version` is higher than the one held (a socket message)
 *    or at least as high (an authoritative answer, which may add `mine` to a state we already
 *    have from the socket). A late message never turns a seat back.
 * 2. `mine` after a pushed change:
 *    - `available`: not mine.
 *    - `locked`: mine only while this user's own lock request on that seat is in flight
 *      (the push can overtake the HTTP answer); such a guess is marked tentative and is
 *      confirmed by the answer or undone by a failure.
 *    - `reserved`: mine when this user's own reserve is in flight (tentative, as above), or when
 *      the seat was locked by this user and this is the very next change (`version + 1`):
 *      only the holder of a lock can book it, and a lapsed lock must first be re-locked by
 *      someone else, which is a change of its own.
 *    - either, when this user's holds (`holds/`) name the seat with that very `locked_until`,
      or their bookings name it: the page learnt it is theirs before the push came.
    Anything else pushed is someone else's.
 * 3. After a successful reserve (whose answer carries no versions) each booked seat is
 *    `reserved`, mine, at the version of this user's lock plus one: the booking is that seat's
 *    next change.
 * 4. A lock whose `locked_until` has passed is shown available at once; the sweeper's push
 *    (version + 1) follows within seconds.
 */
import type { components } from '../../../lib/api-types';
import type { SeatChange } from '../../../lib/protocol-types';

export type SeatStatus = components['schemas']['StatusEnum'];

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

export type OwnAction = 'lock' | 'unlock' | 'reserve' | 'extend';

/** What a person sees, one of the legend's five entries. */
export type SeatKind = 'available' | 'held-mine' | 'held-other' | 'booked-mine' | 'booked-other';

export function seatKind(seat: SeatLive): SeatKind {
  if (seat.status === 'locked') return seat.mine ? 'held-mine' : 'held-other';
  if (seat.status === 'reserved') return seat.mine ? 'booked-mine' : 'booked-other';
  return 'available';
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

function sameLive(a: SeatLive, b: SeatLive): boolean {
  return a.status === b.status && a.version === b.version && a.lockedUntil === b.lockedUntil && a.mine === b.mine;
}

/** Rule 1 for authoritative answers. Returns the new state, or null to keep the current one. */
export function mergeAuthoritative(current: SeatLive | undefined, incoming: SeatLive): SeatLive | null {
  if (current && incoming.version < current.version) return null;
  if (current && sameLive(current, incoming)) return null;
  return incoming;
}

/** Rules 1 and 2 for a socket change. `pending` is this user's in-flight action on the seat. */
export function mergePushed(
  current: SeatLive | undefined,
  change: PushedSeat,
  pending: OwnAction | undefined,
  known?: OwnHint,
): { next: SeatLive; tentative: boolean } | null {
  if (current && change.version <= current.version) return null;
  let mine = false;
  let tentative = false;
  if (change.status === 'locked') {
    // An extension of this user's hold is pushed as a new version of the same lock.
    mine = pending === 'lock' || (pending === 'extend' && current?.mine === true);
    tentative = mine;
    if (!mine && known?.holdUntil !== undefined && known.holdUntil === parseInstant(change.locked_until)) mine = true;
  } else if (change.status === 'reserved') {
    const bookedOwnLock =
      current !== undefined && current.mine && current.status === 'locked' && change.version === current.version + 1;
    if (bookedOwnLock || known?.booked) mine = true;
    else if (pending === 'reserve') {
      mine = true;
      tentative = true;
    }
  }
  return {
    next: {
      status: change.status,
      version: change.version,
      lockedUntil: change.status === 'locked' ? parseInstant(change.locked_until) : null,
      mine,
    },
    tentative,
  };
}

/** What this user's own reads say about a seat the socket may not have shown yet (rule 2). */
export interface OwnHint {
  /** `holds/` lists the seat, held until then (epoch ms; null: no end given). */
  holdUntil?: number | null;
  /** `GET /api/reservations/` lists the seat in a confirmed booking. */
  booked?: boolean;
}

/** A seat's state as the socket or `state/` gives it, with no owner. */
export function liveFromPushed(change: PushedSeat): SeatLive {
  return {
    status: change.status,
    version: change.version,
    lockedUntil: change.status === 'locked' ? parseInstant(change.locked_until) : null,
    mine: false,
  };
}

/** Rule 4: the state the clock says, or null when nothing lapsed. */
export function expireIfDue(current: SeatLive, now: number): SeatLive | null {
  if (current.status !== 'locked' || current.lockedUntil === null || current.lockedUntil > now) return null;
  return { status: 'available', version: current.version, lockedUntil: null, mine: false };
}

type Listener = () => void;

/**
 * Holds every seat of one event and tells each subscriber only about its own seat, so one pushed
 * change re-renders one seat component (`useSyncExternalStore(subscribeSeat(id), getSeat(id))`).
 */
export class SeatStore {
  private byId = new Map<number, Seat>();
  private seatListeners = new Map<number, Set<Listener>>();
  private heldListeners = new Set<Listener>();
  private holdLostListeners = new Set<(ids: number[]) => void>();
  private changeListeners = new Set<(ids: number[]) => void>();
  private planListeners = new Set<Listener>();
  private plansLoaded = 0;
  private lost: number[] = [];
  private pending = new Map<number, OwnAction>();
  private tentative = new Set<number>();
  private mineLocked = new Set<number>();
  private hints = new Map<number, OwnHint>();
  private heldCache: Seat[] | null = null;
  private batchDepth = 0;
  private dirty = new Set<number>();
  private heldDirty = false;

  // ---- reading ----

  getSeat = (id: number): Seat | undefined => this.byId.get(id);

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** How many times a map and its state were loaded: 0 until the page has its seats. */
  getPlansLoaded = (): number => this.plansLoaded;

  get size(): number {
    return this.byId.size;
  }

  /** Seats held by this user (the basket), in layout order of when they were loaded. */
  getHeld = (): Seat[] => {
    if (!this.heldCache) {
      this.heldCache = [...this.mineLocked]
        .map((id) => this.byId.get(id))
        .filter((s): s is Seat => s !== undefined)
        .sort((a, b) => a.id - b.id);
    }
    return this.heldCache;
  };

  /** Every seat, in load order (for counts such as seats left per category). */
  seats(): IterableIterator<Seat> {
    return this.byId.values();
  }

  pendingAction(id: number): OwnAction | undefined {
    return this.pending.get(id);
  }

  isTentative(id: number): boolean {
    return this.tentative.has(id);
  }

  label(id: number): string | undefined {
    return this.byId.get(id)?.label;
  }

  // ---- subscribing ----

  subscribeSeat(id: number, listener: Listener): () => void {
    let set = this.seatListeners.get(id);
    if (!set) {
      set = new Set();
      this.seatListeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.seatListeners.delete(id);
    };
  }

  subscribeHeld(listener: Listener): () => void {
    this.heldListeners.add(listener);
    return () => this.heldListeners.delete(listener);
  }

  /** Told, once per batch, of every seat that changed (the canvas redraws on it). */
  subscribeChanges(listener: (ids: number[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Told after each `loadPlan`, even one that changed no seat (an event with none). */
  subscribePlan = (listener: Listener): (() => void) => {
    this.planListeners.add(listener);
    return () => this.planListeners.delete(listener);
  };

  /**
   * Told when seats stop being held by this user without this user's own unlock or reserve:
   * the hold ran out (clock or sweeper), or the server says it is gone.
   */
  subscribeHoldLost(listener: (ids: number[]) => void): () => void {
    this.holdLostListeners.add(listener);
    return () => this.holdLostListeners.delete(listener);
  }

  // ---- writing ----

  /**
   * The map's seats (`map/`) with their state at a point of the stream (`state/`, `states[i]`
   * for `infos[i]`). Seats not seen before are added as the state says; a seat already known
   * takes it as a pushed change (by version, rule 2), its static info from the map.
   */
  loadPlan(infos: readonly SeatInfo[], states: readonly PushedSeat[]): number[] {
    const ids = this.batch(() => {
      const changed: number[] = [];
      for (let i = 0; i < infos.length; i += 1) {
        const info = infos[i];
        const state = states[i];
        const current = this.byId.get(info.id);
        if (!current) {
          const hint = this.hints.get(info.id);
          const mine = hint !== undefined && mergePushed(undefined, state, undefined, hint)?.next.mine === true;
          this.add(arrivedSeat(info, state, mine));
          changed.push(info.id);
          continue;
        }
        const merged = mergePushed(current, state, this.pending.get(info.id), this.hints.get(info.id));
        if (!merged && sameInfo(current, info)) continue;
        if (merged?.tentative) this.tentative.add(info.id);
        else if (merged) this.tentative.delete(info.id);
        this.put(makeSeat(info, merged ? merged.next : current, current.busy));
        changed.push(info.id);
      }
      return changed;
    });
    this.plansLoaded += 1;
    for (const listener of [...this.planListeners]) listener();
    return ids;
  }

  /** The versions of the seats this user holds now: give them back with the `holds/` answer read after. */
  ownHoldVersions(): Map<number, number> {
    const versions = new Map<number, number>();
    for (const id of this.mineLocked) {
      const seat = this.byId.get(id);
      if (seat) versions.set(id, seat.version);
    }
    return versions;
  }

  /**
   * This user's holds (`holds/`), read after `before` (`ownHoldVersions()`) was taken. A seat
   * shown held with the same `locked_until` becomes theirs (a hold made in another tab); one
   * the socket has not shown held yet will be theirs when it does. A seat shown as their hold
   * that the answer leaves out, and that did not change while it was on the way, is not theirs
   * any more.
   */
  applyOwnHolds(holds: readonly { id: number; until: number | null }[], before: ReadonlyMap<number, number> = new Map()): void {
    this.batch(() => {
      const listed = new Set<number>();
      for (const { id, until } of holds) {
        listed.add(id);
        this.hints.set(id, { ...this.hints.get(id), holdUntil: until });
        const current = this.byId.get(id);
        if (!current || current.mine || current.status !== 'locked' || this.pending.has(id)) continue;
        if (until === null || current.lockedUntil === until) this.put({ ...current, mine: true });
      }
      for (const [id, version] of before) {
        if (listed.has(id) || this.pending.has(id)) continue;
        const current = this.byId.get(id);
        if (current && current.mine && current.status === 'locked' && current.version === version) {
          this.put({ ...current, mine: false });
        }
      }
    });
  }

  /** Seats of this user's confirmed bookings (`holds/`'s `booked`): booked by them. */
  applyOwnBookings(seatIds: readonly number[]): void {
    this.batch(() => {
      for (const id of seatIds) {
        const current = this.byId.get(id);
        if (current?.status === 'reserved') {
          if (!current.mine) this.put({ ...current, mine: true });
        } else {
          // Not shown booked yet: it will be theirs when the socket says so.
          this.hints.set(id, { ...this.hints.get(id), booked: true });
        }
      }
    });
  }

  /** The HTTP seat list. Seats not seen before are added with their layout info. */
  loadFromApi(seats: ApiSeat[]): number[] {
    return this.batch(() => {
      const changed: number[] = [];
      for (const apiSeat of seats) {
        const current = this.byId.get(apiSeat.id);
        if (!current) {
          this.add(makeSeat(infoOf(apiSeat), liveFromApi(apiSeat), false));
          changed.push(apiSeat.id);
          continue;
        }
        if (this.pending.has(apiSeat.id)) {
          // The list may have been read before our own in-flight action; its answer decides.
          const pushedOnly = mergeAuthoritative(current, { ...liveFromApi(apiSeat), mine: current.mine });
          if (pushedOnly && apiSeat.version > current.version) {
            this.put(makeSeat(current, pushedOnly, current.busy));
            changed.push(apiSeat.id);
          }
          continue;
        }
        const next = mergeAuthoritative(current, liveFromApi(apiSeat));
        if (next) {
          this.tentative.delete(apiSeat.id);
          this.put(makeSeat(current, next, current.busy));
          changed.push(apiSeat.id);
        }
      }
      return changed;
    });
  }

  /** The seat in the answer to this user's own lock or unlock. */
  applyOwnAnswer(apiSeat: ApiSeat): boolean {
    const current = this.byId.get(apiSeat.id);
    const next = mergeAuthoritative(current, liveFromApi(apiSeat));
    this.tentative.delete(apiSeat.id);
    if (!next) return false;
    this.batch(() => this.put({ busy: false, ...(current ?? infoOf(apiSeat)), ...next }));
    return true;
  }

  /** A socket `snapshot`'s seats or a `seats` message's changes. Returns the ids that changed. */
  applyPushed(changes: PushedSeat[]): number[] {
    return this.batch(() => {
      const changed: number[] = [];
      for (const change of changes) {
        const current = this.byId.get(change.id);
        if (!current) continue; // not in the layout we loaded; the next HTTP load brings it
        const hint = this.hints.get(change.id);
        const merged = mergePushed(current, change, this.pending.get(change.id), hint);
        if (!merged) continue;
        if (hint?.booked && change.status === 'reserved') this.hints.set(change.id, { ...hint, booked: false });
        if (merged.tentative) this.tentative.add(change.id);
        else this.tentative.delete(change.id);
        this.put(makeSeat(current, merged.next, current.busy));
        changed.push(change.id);
      }
      return changed;
    });
  }

  /** Rule 3: the seats of a reservation this user just made. */
  applyOwnReservation(seatIds: number[]): void {
    this.batch(() => {
      for (const id of seatIds) {
        const current = this.byId.get(id);
        if (!current) continue;
        this.tentative.delete(id);
        if (current.status === 'reserved' && current.mine) continue; // the push got here first
        if (current.status === 'locked' && current.mine) {
          this.put({ ...current, status: 'reserved', version: current.version + 1, lockedUntil: null, mine: true });
        } else if (current.status !== 'reserved') {
          // We lost track of our own lock (e.g. it lapsed locally a moment early): trust the
          // server's answer and let the next version from the socket or the list correct it.
          this.put({ ...current, status: 'reserved', lockedUntil: null, mine: true });
        } else {
          this.put({ ...current, mine: true });
        }
      }
    });
  }

  beginAction(id: number, action: OwnAction): void {
    this.pending.set(id, action);
    const current = this.byId.get(id);
    if (current && !current.busy) this.batch(() => this.put({ ...current, busy: true }));
  }

  /** Ends an own action. On failure a tentative `mine` set by a push during it is undone. */
  endAction(id: number, ok: boolean): void {
    this.pending.delete(id);
    this.batch(() => {
      const current = this.byId.get(id);
      if (!current) return;
      const undo = !ok && this.tentative.has(id) && current.mine;
      this.tentative.delete(id);
      if (undo || current.busy) this.put({ ...current, busy: false, mine: undo ? false : current.mine });
    });
  }

  /** A lock request answered 409: whatever the seat is now, it is not ours. */
  markNotMine(id: number): void {
    const current = this.byId.get(id);
    if (current?.mine && current.status !== 'reserved') {
      this.batch(() => this.put({ ...current, mine: false }));
    }
  }

  /** Rule 4. Returns the seats that lapsed, with whether they were this user's. */
  expire(now: number): { id: number; wasMine: boolean }[] {
    const lapsed: { id: number; wasMine: boolean }[] = [];
    for (const [id, hint] of this.hints) {
      if (hint.holdUntil !== undefined && hint.holdUntil !== null && hint.holdUntil <= now) {
        if (hint.booked) this.hints.set(id, { booked: true });
        else this.hints.delete(id);
      }
    }
    this.batch(() => {
      for (const seat of this.byId.values()) {
        const next = expireIfDue(seat, now);
        if (!next) continue;
        lapsed.push({ id: seat.id, wasMine: seat.mine });
        this.put(makeSeat(seat, next, seat.busy));
      }
    });
    return lapsed;
  }

  // ---- internals ----

  private put(input: Seat): void {
    const seat = literalSeat(input);
    const before = this.byId.get(seat.id);
    this.byId.set(seat.id, seat);
    const heldBefore = this.mineLocked.has(seat.id);
    const heldNow = seat.status === 'locked' && seat.mine;
    if (heldNow) this.mineLocked.add(seat.id);
    else this.mineLocked.delete(seat.id);
    if (heldBefore !== heldNow || (heldNow && before !== seat)) this.heldDirty = true;
    if (heldBefore && !heldNow && !this.pending.has(seat.id)) this.lost.push(seat.id);
    this.markDirty(seat.id);
  }

  /** A seat not seen before, already in its final shape: the map's 20,000 on arrival. */
  private add(seat: Seat): void {
    this.byId.set(seat.id, seat);
    if (seat.status === 'locked' && seat.mine) {
      this.mineLocked.add(seat.id);
      this.heldDirty = true;
    }
    this.markDirty(seat.id);
  }

  private markDirty(id: number): void {
    this.dirty.add(id);
  }

  private batch<T>(fn: () => T): T {
    this.batchDepth += 1;
    try {
      return fn();
    } finally {
      this.batchDepth -= 1;
      if (this.batchDepth === 0) this.flush();
    }
  }

  private flush(): void {
    const dirty = [...this.dirty];
    this.dirty.clear();
    const heldDirty = this.heldDirty;
    this.heldDirty = false;
    if (heldDirty) this.heldCache = null;
    for (const id of dirty) {
      const set = this.seatListeners.get(id);
      if (set) for (const listener of [...set]) listener();
    }
    if (heldDirty) for (const listener of [...this.heldListeners]) listener();
    if (dirty.length > 0) for (const listener of [...this.changeListeners]) listener(dirty);
    if (this.lost.length > 0) {
      const lost = this.lost;
      this.lost = [];
      for (const listener of [...this.holdLostListeners]) listener(lost);
    }
  }
}

/**
 * The same seat as an object literal with a fixed key order. Seats are made by spreading
 * (`{ ...current, ...next }`), which leaves V8 with slow, dictionary-like objects: reading
 * 20,000 of them for a canvas frame took ~12 ms; with one shape it takes ~0.5 ms.
 */
function literalSeat(s: Seat): Seat {
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
function makeSeat(info: SeatInfo, live: SeatLive, busy: boolean): Seat {
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

function arrivedSeat(info: SeatInfo, state: PushedSeat, mine: boolean): Seat {
  const lockedUntil = state.status === 'locked' ? parseInstant(state.locked_until) : null;
  return makeSeat(info, { status: state.status, version: state.version, lockedUntil, mine }, false);
}

function sameInfo(a: SeatInfo, b: SeatInfo): boolean {
  return (
    a.label === b.label &&
    a.section === b.section &&
    a.row === b.row &&
    a.number === b.number &&
    a.price === b.price &&
    a.category === b.category &&
    a.accessible === b.accessible &&
    a.companion === b.companion &&
    a.restrictedView === b.restrictedView &&
    a.blocked === b.blocked
  );
}

function infoOf(seat: ApiSeat): SeatInfo {
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
