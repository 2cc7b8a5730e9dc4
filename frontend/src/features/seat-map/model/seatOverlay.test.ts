import { describe, expect, it, vi } from 'vitest';
import { drawnKind } from './seatKinds';
import { KEPT, KILLED, SELECTED, SeatOverlay } from './seatOverlay';

describe('the console overlay', () => {
  it('keeps selection and off-sale marks apart on one seat', () => {
    const overlay = new SeatOverlay();
    overlay.setSelected([1, 2]);
    overlay.setOffSale(new Map([[2, 'kept'], [3, 'killed']]));
    expect([overlay.mark(1), overlay.mark(2), overlay.mark(3), overlay.mark(4)]).toEqual([SELECTED, SELECTED | KEPT, KILLED, 0]);
    overlay.setSelected([]);
    expect([overlay.mark(1), overlay.mark(2)]).toEqual([0, KEPT]);
    expect(overlay.offSaleCount).toBe(2);
  });

  it("tells each seat's subscribers only of their own seat, and only when it changed", () => {
    const overlay = new SeatOverlay();
    const one = vi.fn();
    const two = vi.fn();
    const any = vi.fn();
    overlay.subscribeSeat(1, one);
    overlay.subscribeSeat(2, two);
    overlay.subscribeChanges(any);
    overlay.setSelected([1]);
    overlay.setSelected([1]);
    overlay.setOffSale(new Map([[2, 'killed']]));
    overlay.setOffSale(new Map([[2, 'killed']]));
    expect([one.mock.calls.length, two.mock.calls.length, any.mock.calls.length]).toEqual([1, 1, 2]);
  });

  it('calls a seat kept back or killed only while the stream shows it reserved', () => {
    const seat = { status: 'reserved' as const, version: 3, lockedUntil: null, mine: false };
    expect(drawnKind(seat, KEPT)).toBe('kept');
    expect(drawnKind(seat, KILLED | SELECTED)).toBe('killed');
    expect(drawnKind({ ...seat, status: 'available' }, KEPT)).toBe('available');
    expect(drawnKind(seat, SELECTED)).toBe('booked-other');
  });
});
