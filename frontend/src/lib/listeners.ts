/**
 * Those told of a change. `subscribe` is bound (a hook can hand it to `useSyncExternalStore` as it
 * is) and returns the unsubscribe; `tell` goes over a copy, so a listener may leave while told.
 */
export class Listeners<A extends unknown[] = []> {
  private readonly set = new Set<(...args: A) => void>();

  subscribe = (listener: (...args: A) => void): (() => void) => {
    this.set.add(listener);
    return () => this.set.delete(listener);
  };

  tell(...args: A): void {
    for (const listener of [...this.set]) listener(...args);
  }
}
