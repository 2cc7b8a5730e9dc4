type Listener = () => void;

/**
 * Listeners kept per seat: a seat's subscribers are told only of their own seat, so one change
 * re-renders one seat component. A seat's set goes with its last subscriber. The seat store's
 * signals, the console's overlay and the roving focus all tell their seats through one.
 */
export class SeatListeners {
  private bySeat = new Map<number, Set<Listener>>();

  subscribe(id: number, listener: Listener): () => void {
    let set = this.bySeat.get(id);
    if (!set) {
      set = new Set();
      this.bySeat.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.bySeat.delete(id);
    };
  }

  /** Tells each seat's subscribers, once per seat given. */
  notify(ids: Iterable<number>): void {
    for (const id of ids) {
      const set = this.bySeat.get(id);
      if (set) for (const listener of [...set]) listener();
    }
  }
}
