// @vitest-environment jsdom
// The testbed first: its vi.mock calls must run before anything imports the modules they replace.
import { LAYOUT, mocks, mount, ROOM_SEATS, setUpEachTest } from './SeatSelector.testbed';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CanvasWithProbe } from '../features/seat-map';
import { ApiError } from '../lib/api-client';

describe('SeatSelector: the room or the grid', () => {
  setUpEachTest();

  it('draws the grid when the event is a plain grid (no plan in its map)', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = null;
    mount();
    await screen.findByRole('button', { name: /^A1, Stalls, Premium €85.00, available, wheelchair space$/ });
    expect(document.querySelector('[data-map-kind]')?.getAttribute('data-map-kind')).toBe('grid');
    expect(screen.queryByTestId('seat-canvas')).toBeNull();
    expect(screen.queryByTestId('view-list')).toBeNull();
  });

  it('opens the map from the seat list when Redis is gone, the buyer\u2019s seats their own', async () => {
    mocks.seats = [ROOM_SEATS[0], { ...ROOM_SEATS[1], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true }, ...ROOM_SEATS.slice(2)];
    mocks.room = null;
    mocks.redisGone = true;
    mount({ loggedIn: true });
    await screen.findByRole('button', { name: /^A1, Stalls, Premium €85.00, available, wheelchair space$/ });
    await screen.findByRole('button', { name: new RegExp(`^${ROOM_SEATS[1].label}, .*held by you`) });
    expect(mocks.seatListReads).toBe(1);
  });

  it('takes the categories from the map when the event detail has not come', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = null;
    mount({ categories: undefined });
    await screen.findByRole('button', { name: /^A1, Stalls, Premium €85.00, available, wheelchair space$/ });
    await screen.findByRole('button', { name: /^B1, Stalls, Standard €45.00, available$/ });
  });

  it('tells the buyer what they may still take in the server\u2019s numbers, read again as their seats change', async () => {
    mocks.seats = ROOM_SEATS;
    const run = { run_ends_at: null, hold_again_at: null, booked: 1, purchase_limit: 2, hold_limit: 10, most_at_once: 1 }; // booked in another tab
    mocks.holdRun.mockResolvedValueOnce({ ...run, held: 0, may_take: 1 }).mockResolvedValue({ ...run, held: 1, may_take: 0 });
    mocks.lock.mockResolvedValueOnce({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } });
    mount({ loggedIn: true });
    await waitFor(() => expect(screen.getByTestId('basket-limit').textContent).toBe('1 of 2 seats booked'));

    fireEvent.click(await screen.findByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(screen.getByTestId('basket-limit').textContent).toBe('2 of 2 seats: 1 held, 1 booked: the most one buyer may have of this event'));
    fireEvent.click(screen.getByRole('button', { name: /^B1, / }));

    await waitFor(() =>
      expect(screen.getByTestId('toast-region').textContent).toBe(
        'One buyer may have at most 2 seats of this event, held and booked together, and you hold 1 and have booked 1.',
      ),
    );
    expect(mocks.lock).toHaveBeenCalledTimes(1);
    expect(mocks.holdRun).toHaveBeenCalledTimes(2);
  });

  it('draws the room, with the legend, and a click on a seat holds it', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.lock.mockImplementation(async () => ({ success: true, seat: { ...ROOM_SEATS[2], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } }));
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    expect(canvas.getAttribute('aria-label')).toBe(
      'Plan of Town Hall: 4 seats; Premium €85.00, Standard €45.00. Arrow keys go from seat to seat, Enter holds or releases one; the List view lists every seat.',
    );
    const legend = screen.getByTestId('category-legend');
    // counted live from the seats (one Premium held, one Standard blocked), not the event's 3 and 2
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Premium €85.00 · 1 left', 'Standard €45.00 · 1 left']);
    const calls = (globalThis as { drawCalls?: string[] }).drawCalls!;
    await waitFor(() => expect(calls.some((c) => c.startsWith('fillText(STAGE'))).toBe(true));
    expect(calls.some((c) => c.startsWith('fillText(Stalls'))).toBe(true);

    // Seat 3 at plan (40, 50): find where it is drawn and press there (the canvas sits at 0,0 in jsdom).
    const at = canvas.seatMap!.seatPoint(3)!;
    expect(canvas.seatMap!.seatAt(at.x, at.y)).toBe(3);
    fireEvent.pointerDown(canvas, { pointerId: 1, clientX: at.x + 2, clientY: at.y - 1, pointerType: 'mouse' });
    fireEvent.pointerUp(canvas, { pointerId: 1, clientX: at.x + 2, clientY: at.y - 1, pointerType: 'mouse' });
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 3));
  });

  it('the keyboard picks a seat on the plan: arrows move the cursor, which is said aloud, and Enter holds its seat', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mount();
    await screen.findByTestId('seat-canvas');
    const viewport = screen.getByTestId('seat-map-viewport');
    const said = screen.getByTestId('map-cursor');
    fireEvent.keyDown(viewport, { key: 'ArrowDown' }); // the first key puts the cursor on a seat
    await waitFor(() => expect(said.textContent).toMatch(/^Stalls, row \w, seat \d, /));
    // Down to row B, seat 1 (the list's order: row A then row B), then to its left edge.
    fireEvent.keyDown(viewport, { key: 'ArrowDown' });
    fireEvent.keyDown(viewport, { key: 'Home' });
    await waitFor(() => expect(said.textContent).toBe('Stalls, row B, seat 1, Standard €45.00, available'));
    fireEvent.keyDown(viewport, { key: 'Enter' });
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 3));
  });

  it('a refused click is told on its seat; a refused Reserve is not told on the seat clicked before it', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.lock
      .mockRejectedValueOnce(new ApiError(409, 'orphan_seat', 'Holding B1 would leave one seat alone.'))
      .mockImplementation(async () => {
        // The server holds B1 for the buyer now: `holds/`, read again after the refused Reserve, says so.
        mocks.ownHolds = [{ id: 3, locked_until: '2099-01-01T00:00:00Z' }];
        return { success: true, seat: { ...ROOM_SEATS[2], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } };
      });
    mocks.reserve.mockRejectedValue(new ApiError(409, 'companion_requires_accessible', 'A companion seat is booked with a wheelchair space.'));
    mount();
    await screen.findByTestId('seat-canvas');
    const viewport = screen.getByTestId('seat-map-viewport');
    fireEvent.keyDown(viewport, { key: 'ArrowDown' });
    fireEvent.keyDown(viewport, { key: 'ArrowDown' });
    fireEvent.keyDown(viewport, { key: 'Home' });
    await waitFor(() => expect(screen.getByTestId('map-cursor').textContent).toMatch(/^Stalls, row B, seat 1, /));
    const note = () => screen.getByTestId('seat-tooltip').querySelector('.venue-map__tip-note')?.textContent;

    fireEvent.keyDown(viewport, { key: 'Enter' });
    await waitFor(() => expect(note()).toContain('alone'));
    fireEvent.keyDown(viewport, { key: 'Enter' });
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(note()).toBeUndefined());
    fireEvent.click((await screen.findAllByRole('button', { name: /^Reserve 1 seat/ }))[0]);

    await waitFor(() => expect(mocks.reserve).toHaveBeenCalled());
    await waitFor(() => expect(screen.getByTestId('toast-region').textContent).toContain('wheelchair space'));
    expect(note()).toBeUndefined();
  });

  it('a drag pans instead of clicking', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    fireEvent.click(screen.getByTestId('map-zoom-in'));
    const before = canvas.seatMap!.view();
    const at = canvas.seatMap!.seatPoint(3)!;
    fireEvent.pointerDown(canvas, { pointerId: 1, clientX: at.x, clientY: at.y, pointerType: 'mouse' });
    fireEvent.pointerMove(canvas, { pointerId: 1, clientX: at.x + 30, clientY: at.y, pointerType: 'mouse' });
    fireEvent.pointerUp(canvas, { pointerId: 1, clientX: at.x + 30, clientY: at.y, pointerType: 'mouse' });
    expect(canvas.seatMap!.view().x).not.toBe(before.x);
    expect(mocks.lock).not.toHaveBeenCalled();
  });

  it('keys zoom and fit the map', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    const viewport = screen.getByTestId('seat-map-viewport');
    const fit = canvas.seatMap!.view();
    fireEvent.keyDown(viewport, { key: '+' });
    expect(canvas.seatMap!.view().scale).toBeCloseTo(fit.scale * 1.25);
    fireEvent.keyDown(viewport, { key: '0' });
    expect(canvas.seatMap!.view()).toEqual(fit);
  });

  it('the wheel zooms around the pointer; two fingers pinch', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    const fit = canvas.seatMap!.view();
    const at = canvas.seatMap!.seatPoint(4)!;
    fireEvent.wheel(canvas, { deltaY: -200, clientX: at.x, clientY: at.y });
    const zoomed = canvas.seatMap!.view();
    expect(zoomed.scale).toBeGreaterThan(fit.scale);
    const still = canvas.seatMap!.seatPoint(4)!;
    expect(Math.abs(still.x - at.x)).toBeLessThan(20); // stays under the pointer (up to the pan clamp)
    fireEvent.keyDown(screen.getByTestId('seat-map-viewport'), { key: '0' });
    fireEvent.pointerDown(canvas, { pointerId: 1, clientX: 150, clientY: 160, pointerType: 'touch' });
    fireEvent.pointerDown(canvas, { pointerId: 2, clientX: 250, clientY: 160, pointerType: 'touch' });
    fireEvent.pointerMove(canvas, { pointerId: 2, clientX: 350, clientY: 160, pointerType: 'touch' });
    expect(canvas.seatMap!.view().scale).toBeCloseTo(fit.scale * 2);
    fireEvent.pointerUp(canvas, { pointerId: 2, clientX: 350, clientY: 160, pointerType: 'touch' });
    fireEvent.pointerUp(canvas, { pointerId: 1, clientX: 150, clientY: 160, pointerType: 'touch' });
    expect(mocks.lock).not.toHaveBeenCalled(); // a pinch is not a tap
  });

  it('Enter on the map acts on the seat last chosen, never on a default one', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.lock.mockResolvedValue({ success: true, seat: { ...ROOM_SEATS[2], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } });
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    const viewport = screen.getByTestId('seat-map-viewport');
    act(() => viewport.focus());
    fireEvent.keyDown(viewport, { key: 'Enter' });
    expect(mocks.lock).not.toHaveBeenCalled();
    expect(screen.queryByTestId('seat-tooltip')).toBeNull();
    const at = canvas.seatMap!.seatPoint(3)!;
    fireEvent.pointerDown(canvas, { pointerId: 1, clientX: at.x, clientY: at.y, pointerType: 'touch' });
    fireEvent.pointerUp(canvas, { pointerId: 1, clientX: at.x, clientY: at.y, pointerType: 'touch' });
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId('seat-tooltip').textContent).toContain('B1'); // a tap shows the seat's tooltip
  });

  it('the List view has every seat as a labelled button, grouped by section and row', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.lock.mockResolvedValue({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } });
    mount();
    fireEvent.click(await screen.findByTestId('view-list'));
    expect(screen.getByTestId('view-list').getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('seat-canvas')).toBeNull();
    const list = screen.getByRole('region', { name: 'Seats by section and row' });
    expect(within(list).getByRole('heading', { name: 'Stalls' })).toBeTruthy();
    const rowB = within(list).getByRole('group', { name: 'Stalls, row B' });
    expect(within(rowB).getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual([
      'Stalls, row B, seat 1, Standard €45.00, available',
      'Stalls, row B, seat 2, Standard €45.00, not for sale',
    ]);
    const a1 = within(list).getByRole('button', { name: 'Stalls, row A, seat 1, Premium €85.00, available, wheelchair space' });
    act(() => a1.focus());
    expect(screen.getByTestId('seat-tooltip').textContent).toBe('A1Stalls · row APremium · €85.00available · wheelchair space');
    fireEvent.click(a1);
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 1));
    expect(localStorage.getItem('seatmap.view')).toBe('list');
  });
});
