import { Listeners } from '../../../lib/listeners';
import { SeatListeners } from './seatListeners';

type Listener = () => void;

/**
 * Who a seat store tells, and when: the writes of one batch are told once, when it ends, each
 * seat's subscribers only of their own seat, so one pushed change re-renders one seat component.
 */
export class SeatSignals {
  private seatListeners = new SeatListeners();
  private held = new Listeners();
  private holdsLost = new Listeners<[ids: number[]]>();
  private changes = new Listeners<[ids: number[]]>();
  private plans = new Listeners();
  private batchDepth = 0;
  private dirty = new Set<number>();
  private heldDirty = false;
  private lost: number[] = [];
  private readonly onHeldChanged: () => void;

  /** `onHeldChanged` runs at the end of a batch that changed the held set, before anyone is told. */
  constructor(onHeldChanged: () => void) {
    this.onHeldChanged = onHeldChanged;
  }

  // ---- subscribing ----

  subscribeSeat(id: number, listener: Listener): () => void {
    return this.seatListeners.subscribe(id, listener);
  }

  subscribeHeld = this.held.subscribe;
  subscribeChanges = this.changes.subscribe;
  subscribePlan = this.plans.subscribe;
  subscribeHoldLost = this.holdsLost.subscribe;

  // ---- noting, within a batch ----

  seatChanged(id: number): void {
    this.dirty.add(id);
  }

  /** This user's held set, or a seat in it, changed. */
  heldChanged(): void {
    this.heldDirty = true;
  }

  /** The seat stopped being held by this user without this user's own unlock or reserve. */
  holdLost(id: number): void {
    this.lost.push(id);
  }

  /** A map and its state were loaded: told at once, even when no seat changed. */
  planLoaded(): void {
    this.plans.tell();
  }

  /** Runs `fn`; what it changed is told when the outermost batch ends. */
  batch<T>(fn: () => T): T {
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
    if (heldDirty) this.onHeldChanged();
    this.seatListeners.notify(dirty);
    if (heldDirty) this.held.tell();
    if (dirty.length > 0) this.changes.tell(dirty);
    if (this.lost.length > 0) {
      const lost = this.lost;
      this.lost = [];
      this.holdsLost.tell(lost);
    }
  }
}
