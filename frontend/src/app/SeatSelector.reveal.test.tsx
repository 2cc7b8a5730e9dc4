// @vitest-environment jsdom
// The testbed first: its vi.mock calls must run before anything imports the modules they replace.
import { LAYOUT, mocks, mount, ROOM_SEATS, setUpEachTest } from './SeatSelector.testbed';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REVEAL_MARGIN, type CanvasWithProbe } from '../features/seat-map';

describe('SeatSelector: the block Find seats holds is brought into view', () => {
  const restore = setUpEachTest();

  const heldAnswer = (ids: number[]) => ({
    success: true,
    together: true,
    alternatives: [],
    seats: ROOM_SEATS.filter((s) => ids.includes(s.id)).map((s) => ({ ...s, status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true })),
  });
  const onCanvas = (at: { x: number; y: number }) => at.x >= 0 && at.x <= 400 && at.y >= 0 && at.y <= 320;

  it('on the room: the plan pans to the block, at the same zoom; the keyboard stays on the form', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.best.mockResolvedValue(heldAnswer([1, 3]));
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    const viewport = screen.getByTestId('seat-map-viewport');
    for (let i = 0; i < 6; i += 1) fireEvent.keyDown(viewport, { key: '+' });
    for (let i = 0; i < 6; i += 1) fireEvent.keyDown(viewport, { key: 'ArrowRight', shiftKey: true }); // the plan, off to the right of the room
    const zoomed = canvas.seatMap!.view();
    expect(onCanvas(canvas.seatMap!.seatPoint(1)!)).toBe(false);

    const submit = screen.getByTestId('find-seats-submit');
    act(() => submit.focus());
    fireEvent.click(submit);
    await waitFor(() => expect(screen.getByTestId('find-seats-result').textContent).toMatch(/^Found 2 seats/));
    // The plan flies there in a few frames.
    await waitFor(() => expect([1, 3].map((id) => onCanvas(canvas.seatMap!.seatPoint(id)!))).toEqual([true, true]), { timeout: 10_000 });
    expect(canvas.seatMap!.view().scale).toBeCloseTo(zoomed.scale);
    expect(document.activeElement).toBe(submit);
  });

  describe('on the grid and the List view: their scrolling box, then the page', () => {
    let scrollTo: ReturnType<typeof vi.fn>;
    let fold: number; // how far down the page the scrolling box starts
    beforeEach(() => {
      scrollTo = vi.fn();
      fold = 0;
      const proto = Element.prototype as unknown as Record<string, unknown>;
      const had = {
        scrollTo: proto.scrollTo,
        rect: proto.getBoundingClientRect,
        scrollHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'scrollHeight')!,
        matchMedia: window.matchMedia,
        pageScroll: window.scrollTo,
      };
      proto.scrollTo = scrollTo;
      window.scrollTo = vi.fn() as unknown as typeof window.scrollTo;
      // The box is 320 px tall at the top of the page; row B lies 850 px down its 2000 px of rows.
      Object.defineProperty(Element.prototype, 'scrollHeight', { configurable: true, get: () => 2000 });
      proto.getBoundingClientRect = function (this: Element) {
        const id = Number(this.getAttribute('data-seat-id'));
        if (id === 3 || id === 4) return DOMRect.fromRect({ x: 20 + (id - 3) * 40, y: fold + 850, width: 30, height: 30 });
        return DOMRect.fromRect({ x: 0, y: fold, width: 400, height: 320 });
      };
      restore.push(() => {
        proto.scrollTo = had.scrollTo;
        proto.getBoundingClientRect = had.rect;
        window.matchMedia = had.matchMedia;
        window.scrollTo = had.pageScroll;
        Object.defineProperty(Element.prototype, 'scrollHeight', had.scrollHeight);
      });
    });

    const findRowB = async () => {
      mocks.seats = ROOM_SEATS;
      mocks.room = null;
      mocks.best.mockResolvedValue(heldAnswer([3, 4]));
      mount();
      const submit = await screen.findByTestId('find-seats-submit');
      act(() => submit.focus());
      fireEvent.click(submit);
      await waitFor(() => expect(screen.getByTestId('find-seats-result').textContent).toMatch(/^Found 2 seats/));
      return submit;
    };

    it('scrolls smoothly to centre the block, without taking the focus', async () => {
      const submit = await findRowB();
      const box = screen.getByRole('region', { name: 'Seat map' });
      expect(scrollTo.mock.contexts).toEqual([box]);
      expect(scrollTo).toHaveBeenCalledWith({ left: 0, top: 865 - 160, behavior: 'smooth' });
      expect(window.scrollTo).not.toHaveBeenCalled(); // the block, centred, is on the page already
      expect(document.activeElement).toBe(submit);
    });

    it('then scrolls the page just enough when the box itself is below the fold', async () => {
      fold = 600;
      await findRowB();
      expect(scrollTo).toHaveBeenCalledWith({ left: 0, top: 865 - 160, behavior: 'smooth' });
      // Centred in its box, the block is at 745-775 px down a page 320 px tall.
      expect(window.scrollTo).toHaveBeenCalledWith({ left: 0, top: 775 - 320 + REVEAL_MARGIN, behavior: 'smooth' });
    });

    it('in the List view, its own scrolling box', async () => {
      mocks.seats = ROOM_SEATS;
      mocks.room = LAYOUT;
      mocks.best.mockResolvedValue(heldAnswer([3, 4]));
      mount();
      fireEvent.click(await screen.findByTestId('view-list'));
      fireEvent.click(screen.getByTestId('find-seats-submit'));
      await waitFor(() => expect(screen.getByTestId('find-seats-result').textContent).toMatch(/^Found 2 seats/));
      const list = screen.getByRole('region', { name: 'Seats by section and row' });
      expect(scrollTo.mock.contexts).toEqual([list.parentElement]); // the box the list scrolls in
      expect(scrollTo).toHaveBeenCalledWith({ left: 0, top: 865 - 160, behavior: 'smooth' });
    });

    it('jumps, without smooth scrolling, for a person who asked for less motion', async () => {
      window.matchMedia = ((query: string) => ({ matches: query === '(prefers-reduced-motion: reduce)' })) as typeof window.matchMedia;
      await findRowB();
      expect(scrollTo).toHaveBeenCalledWith({ left: 0, top: 705, behavior: 'auto' });
    });
  });
});
