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
 * It applies them by the rules of model/seatRules.ts.
 */
import { OwnHints } from './ownHints';
import { arrivedSeat, inAnOrder, infoOf, liveFromApi, literalSeat, makeSeat, sameInfo, type ApiSeat, type PushedSeat, type Seat, type SeatInfo } from './seat';
import { expireIfDue, mergeAuthoritative, mergePushed, type OwnAction } from './seatRules';
import { SeatSignals } from './seatSignals';

type Listener = () => void;

/**
 * Holds every seat of one event and tells each subscriber only about its own seat, so one pushed
 * change re-renders one seat component (`useSyncExternalStore(subscribeSeat(id), getSeat(id))`).
 */
export class SeatStore {
  private byId = new Map<number, Seat>();
  private plansLoaded = 0;
  private pending = new Map<number, OwnAction>();
  private tentative = new Set<number>();
  private mineLocked = new Set<number>();
  private mineBooked = new Set<number>();
  private hints = new OwnHints();
  private heldCache: Seat[] | null = null;
  private signals = new SeatSignals(() => {
    this.heldCache = null;
  });

  // ---- reading ----

  getSeat = (id: number): Seat | undefined => this.byId.get(id);

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** How many times a map and its state were loaded: 0 until the page has its seats. */
  getPlansLoaded = (): number => this.plansLoaded;

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

  /** How many seats this user has booked, as far as this page knows (the purchase limit counts them). */
  getBookedCount = (): number => this.mineBooked.size;

  /** Every seat, in load order (for counts such as seats left per category). */
  seats(): IterableIterator<Seat> {
    return this.byId.values();
  }

  isTentative(id: number): boolean {
    return this.tentative.has(id);
  }

  label(id: number): string | undefined {
    return this.byId.get(id)?.label;
  }

  // ---- subscribing ----

  subscribeSeat(id: number, listener: Listener): () => void {
    return this.signals.subscribeSeat(id, listener);
  }

  /** Told when this user's holds change, or how many seats they have booked. */
  subscribeHeld = (listener: Listener): (() => void) => this.signals.subscribeHeld(listener);

  /** Told, once per batch, of every seat that changed (the canvas redraws on it). */
  subscribeChanges(listener: (ids: number[]) => void): () => void {
    return this.signals.subscribeChanges(listener);
  }

  /** Told after each `loadPlan`, even one that changed no seat (an event with none). */
  subscribePlan = (listener: Listener): (() => void) => this.signals.subscribePlan(listener);

  /**
   * Told when seats stop being held by this user without this user's own unlock or reserve:
   * the hold ran out (clock or sweeper), or the server says it is gone.
   */
  subscribeHoldLost(listener: (ids: number[]) => void): () => void {
    return this.signals.subscribeHoldLost(listener);
  }

  // ---- writing ----

  /**
   * The map's seats (`map/`) with their state at a point of the stream (`state/`, `states[i]`
   * for `infos[i]`). Seats not seen before are added as the state says; a seat already known
   * takes it as a pushed change (by version, rule 2), its static info from the map.
   */
  loadPlan(infos: readonly SeatInfo[], states: readonly PushedSeat[]): number[] {
    const ids = this.signals.batch(() => {
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
    this.signals.planLoaded();
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
    this.signals.batch(() => {
      const listed = new Set<number>();
      for (const { id, until } of holds) {
        listed.add(id);
        this.hints.held(id, until);
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

  /** Seats of this user's orders (`holds/`'s `booked`): booked or paying, by them. */
  applyOwnBookings(seatIds: readonly number[]): void {
    this.signals.batch(() => {
      for (const id of seatIds) {
        const current = this.byId.get(id);
        if (current && inAnOrder(current.status)) {
          if (!current.mine) this.put({ ...current, mine: true });
        } else {
          // Not shown booked yet: it will be theirs when the socket says so.
          this.hints.booked(id);
        }
      }
    });
  }

  /** The HTTP seat list. Seats not seen before are added with their layout info. */
  loadFromApi(seats: ApiSeat[]): number[] {
    return this.signals.batch(() => {
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
    this.signals.batch(() => this.put({ busy: false, ...(current ?? infoOf(apiSeat)), ...next }));
    return true;
  }

  /** A socket `snapshot`'s seats or a `seats` message's changes. Returns the ids that changed. */
  applyPushed(changes: PushedSeat[]): number[] {
    return this.signals.batch(() => {
      const changed: number[] = [];
      for (const change of changes) {
        const current = this.byId.get(change.id);
        if (!current) continue; // not in the layout we loaded; the next HTTP load brings it
        const merged = mergePushed(current, change, this.pending.get(change.id), this.hints.get(change.id));
        if (!merged) continue;
        if (inAnOrder(change.status)) this.hints.bookingShown(change.id);
        if (merged.tentative) this.tentative.add(change.id);
        else this.tentative.delete(change.id);
        this.put(makeSeat(current, merged.next, current.busy));
        changed.push(change.id);
      }
      return changed;
    });
  }

  /** Rule 3: the seats of a reservation this user just made: `reserved`, or `paying` for an
   * order awaiting payment. */
  applyOwnReservation(seatIds: number[], status: 'reserved' | 'paying' = 'reserved'): void {
    this.signals.batch(() => {
      for (const id of seatIds) {
        const current = this.byId.get(id);
        if (!current) continue;
        this.tentative.delete(id);
        if (inAnOrder(current.status) && current.mine) continue; // the push got here first
        if (current.status === 'locked' && current.mine) {
          this.put({ ...current, status, version: current.version + 1, lockedUntil: null, mine: true });
        } else if (!inAnOrder(current.status)) {
          // We lost track of our own lock (e.g. it lapsed locally a moment early): trust the
          // server's answer and let the next version from the socket or the list correct it.
          this.put({ ...current, status, lockedUntil: null, mine: true });
        } else {
          this.put({ ...current, mine: true });
        }
      }
    });
  }

  beginAction(id: number, action: OwnAction): void {
    this.pending.set(id, action);
    const current = this.byId.get(id);
    if (current && !current.busy) this.signals.batch(() => this.put({ ...current, busy: true }));
  }

  /** Ends an own action. On failure a tentative `mine` set by a push during it is undone. */
  endAction(id: number, ok: boolean): void {
    this.pending.delete(id);
    this.signals.batch(() => {
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
    if (current?.mine && !inAnOrder(current.status)) {
      this.signals.batch(() => this.put({ ...current, mine: false }));
    }
  }

  /** Rule 4. Returns the seats that lapsed, with whether they were this user's. */
  expire(now: number): { id: number; wasMine: boolean }[] {
    const lapsed: { id: number; wasMine: boolean }[] = [];
    this.hints.expire(now);
    this.signals.batch(() => {
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
    const bookedChanged = this.trackBooked(seat);
    if (heldBefore !== heldNow || (heldNow && before !== seat) || bookedChanged) this.signals.heldChanged();
    // Booked or ordered by the buyer (another tab) is no hold lost.
    const booked = inAnOrder(seat.status) && seat.mine;
    if (heldBefore && !heldNow && !booked && !this.pending.has(seat.id)) this.signals.holdLost(seat.id);
    this.signals.seatChanged(seat.id);
  }

  /** A seat not seen before, already in its final shape: the map's 20,000 on arrival. */
  private add(seat: Seat): void {
    this.byId.set(seat.id, seat);
    if (seat.status === 'locked' && seat.mine) {
      this.mineLocked.add(seat.id);
      this.signals.heldChanged();
    }
    if (this.trackBooked(seat)) this.signals.heldChanged();
    this.signals.seatChanged(seat.id);
  }

  /** Keeps `mineBooked` up with the seat; whether it changed. */
  private trackBooked(seat: Seat): boolean {
    const booked = inAnOrder(seat.status) && seat.mine;
    if (booked === this.mineBooked.has(seat.id)) return false;
    if (booked) this.mineBooked.add(seat.id);
    else this.mineBooked.delete(seat.id);
    return true;
  }
}
