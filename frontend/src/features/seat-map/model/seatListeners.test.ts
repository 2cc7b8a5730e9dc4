import { describe, expect, it, vi } from 'vitest';
import { SeatListeners } from './seatListeners';

describe('SeatListeners', () => {
  it("tells a seat's subscribers of their own seat only, once per seat given", () => {
    const listeners = new SeatListeners();
    const one = vi.fn();
    const two = vi.fn();
    listeners.subscribe(1, one);
    listeners.subscribe(2, two);
    listeners.notify([1, 3]);
    expect(one).toHaveBeenCalledTimes(1);
    expect(two).not.toHaveBeenCalled();
  });

  it('stops telling a listener once it unsubscribes', () => {
    const listeners = new SeatListeners();
    const one = vi.fn();
    const off = listeners.subscribe(1, one);
    off();
    listeners.notify([1]);
    expect(one).not.toHaveBeenCalled();
  });
});
