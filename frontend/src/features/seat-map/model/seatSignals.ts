import { SeatListeners } from './seatListeners';

type Listener = () => void;

/**
 * Who a seat store tells, and when: the writes of one batch are told once, when it ends, each
 * seat's subscribers only of their own seat, so one pushed change re-renders one seat component.
 */
export class SeatSignals {
  private seatListeners = new SeatListeners();
  private heldListeners = new Set<Listener>();
  private holdLostListeners = new Set<(ids: number[]) => void>();
  private changeListeners = new Set<(ids: number[]) => void>();
  private planListeners = new Set<Listener>();
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

  subscribeHeld(listener: Listener): () => void {
    this.heldListeners.add(listener);
    return () => this.heldListeners.delete(listener);
  }

  subscribeChanges(listener: (ids: number[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  subscribePlan(listener: Listener): () => void {
    this.planListeners.add(listener);
    return () => this.planListeners.delete(listener);
  }

  subscribeHoldLost(listener: (ids: number[]) => void): () => void {
    this.holdLostListeners.add(listener);
    return () => this.holdLostListeners.delete(listener);
  }

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
    for (const listener of [...this.planListeners]) listener();
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
    if (heldDirty) for (const listener of [...this.heldListeners]) listener();
    if (dirty.length > 0) for (const listener of [...this.changeListeners]) listener(dirty);
    if (this.lost.length > 0) {
      const lost = this.lost;
      this.lost = [];
      for (const listener of [...this.holdLostListeners]) listener(lost);
    }
  }
}
