// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REVEAL_MARGIN, type ApiLayout, type ApiSeat, type ApiSeatMap, type ApiSeatStates, type CanvasWithProbe } from '../features/seat-map';
import { SeatSelector } from './SeatSelector';

const mocks = vi.hoisted(() => ({
  seats: [] as ApiSeat[],
  /** The room of the event, or null for a plain grid. */
  room: null as ApiLayout | null,
  lock: vi.fn(),
  best: vi.fn(),
}));

vi.mock('../features/find-seats/api/best', () => ({ findBestSeats: (...args: unknown[]) => mocks.best(...args) }));

vi.mock('../features/holds/api/seats', () => ({
  lockSeat: (...args: unknown[]) => mocks.lock(...args),
  unlockSeat: vi.fn(),
  extendSeat: vi.fn(),
  reserveSeats: vi.fn(),
  lockSeats: vi.fn(),
}));

/** The documents `map/` and `state/` would answer for `mocks.seats` in `mocks.room`. */
vi.mock('../features/seat-map/api/seatMap', () => ({
  fetchSeatMap: async (eventId: number) => mapDocument(eventId, mocks.seats, mocks.room),
  fetchSeatStates: async (eventId: number) => stateDocument(eventId, mocks.seats),
  fetchOwnHolds: async (eventId: number) => ({ event_id: eventId, seats: [], booked: [] }),
}));

function mapDocument(eventId: number, seats: ApiSeat[], room: typeof mocks.room): ApiSeatMap {
  const categories = CATEGORIES.map(({ id, name, price, colour }) => ({ id, name, price, colour }));
  const sections = [...new Set(seats.map((s) => s.section))];
  const at = (id: number) => room?.seats.find((p) => p.id === id);
  return {
    event_id: eventId,
    version: 1,
    seats_total: seats.length,
    plan: room && { width: room.width, height: room.height, shapes: room.shapes },
    categories,
    sections,
    seats: {
      id: seats.map((s) => s.id),
      label: seats.map((s) => s.label),
      section: seats.map((s) => sections.indexOf(s.section)),
      row: seats.map((s) => s.row),
      number: seats.map((s) => s.number),
      category: seats.map((s) => categories.findIndex((c) => c.id === s.category)),
      flags: seats.map((s) => (s.accessible ? 1 : 0) | (s.companion ? 2 : 0) | (s.restricted_view ? 4 : 0) | (s.blocked ? 8 : 0)),
      ...(room ? { x: seats.map((s) => at(s.id)!.x), y: seats.map((s) => at(s.id)!.y), rotation: seats.map((s) => at(s.id)!.rotation ?? 0) } : {}),
    },
  };
}

function stateDocument(eventId: number, seats: ApiSeat[]): ApiSeatStates {
  return {
    event_id: eventId,
    epoch: 'e1',
    seq: 10,
    seats_total: seats.length,
    status: seats.map((s) => s.status[0]).join(''),
    version: seats.map((s) => s.version),
    locked_until: Object.fromEntries(seats.filter((s) => s.status === 'locked').map((s) => [String(s.id), s.locked_until!])),
  };
}

vi.mock('../lib/ws-client', () => ({
  openLiveSocket: () => ({ send: () => true, reconnect: () => {}, close: () => {}, state: 'connecting' }),
}));

function seat(id: number, row: string, n: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `${row}${n}`, section: 'Stalls', row, number: n, price: '85.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

const CATEGORIES = [
  { id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf', seats_total: 4, seats_available: 3 },
  { id: 2, name: 'Standard', price: '45.00', colour: '#009e73', seats_total: 2, seats_available: 2 },
];

const ROOM_SEATS = [
  seat(1, 'A', 1, { category: 1, accessible: true }),
  seat(2, 'A', 2, { category: 1, status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z' }),
  seat(3, 'B', 1, { category: 2, price: '45.00' }),
  seat(4, 'B', 2, { category: 2, price: '45.00', status: 'reserved', blocked: true }),
];

const LAYOUT: ApiLayout = {
  event_id: 7,
  width: 100,
  height: 80,
  seats: [
    { id: 1, x: 40, y: 40, rotation: 0 },
    { id: 2, x: 50, y: 40, rotation: 0 },
    { id: 3, x: 40, y: 50, rotation: 0 },
    { id: 4, x: 50, y: 50, rotation: 0 },
  ],
  shapes: [
    { kind: 'rect', x: 10, y: 5, width: 80, height: 15, label: 'Stage', role: 'stage' },
    { kind: 'rect', x: 30, y: 30, width: 40, height: 30, label: 'Stalls', role: 'section' },
  ],
};

function mount(props: Partial<Parameters<typeof SeatSelector>[0]> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <SeatSelector eventId={7} loggedIn categories={CATEGORIES} venueName="Town Hall" {...props} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** A 2D context that records what was asked of it (jsdom has no canvas). */
function fakeContext() {
  const calls: string[] = [];
  const ctx = new Proxy(
    {},
    {
      get: (_t, prop) => (typeof prop === 'string' ? (...args: unknown[]) => void calls.push(`${prop}(${args.map(String).join(',')})`) : undefined),
      set: () => true,
    },
  );
  return { ctx, calls };
}

describe('SeatSelector: the room or the grid', () => {
  let restore: (() => void)[] = [];
  beforeEach(() => {
    localStorage.clear();
    mocks.lock.mockReset();
    mocks.room = null;
    mocks.best.mockReset();
    const { ctx, calls } = fakeContext();
    (globalThis as { drawCalls?: string[] }).drawCalls = calls;
    const proto = HTMLCanvasElement.prototype as unknown as { getContext: unknown };
    const original = proto.getContext;
    proto.getContext = () => ctx;
    const size = (name: 'clientWidth' | 'clientHeight', value: number) => {
      const d = Object.getOwnPropertyDescriptor(Element.prototype, name)!;
      Object.defineProperty(Element.prototype, name, { configurable: true, get: () => value });
      restore.push(() => Object.defineProperty(Element.prototype, name, d));
    };
    size('clientWidth', 400);
    size('clientHeight', 320);
    restore.push(() => {
      proto.getContext = original;
    });
  });
  afterEach(() => {
    cleanup();
    restore.forEach((r) => r());
    restore = [];
  });

  it('draws the grid when the event is a plain grid (no plan in its map)', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = null;
    mount();
    await screen.findByRole('button', { name: /^A1, Stalls, Premium 85.00, available, wheelchair space$/ });
    expect(document.querySelector('[data-map-kind]')?.getAttribute('data-map-kind')).toBe('grid');
    expect(screen.queryByTestId('seat-canvas')).toBeNull();
    expect(screen.queryByTestId('view-list')).toBeNull();
  });

  it('takes the categories from the map when the event detail has not come', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = null;
    mount({ categories: undefined });
    await screen.findByRole('button', { name: /^A1, Stalls, Premium 85.00, available, wheelchair space$/ });
    await screen.findByRole('button', { name: /^B1, Stalls, Standard 45.00, available$/ });
  });

  it('draws the room, with the legend, and a click on a seat holds it', async () => {
    mocks.seats = ROOM_SEATS;
    mocks.room = LAYOUT;
    mocks.lock.mockImplementation(async () => ({ success: true, seat: { ...ROOM_SEATS[2], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true } }));
    mount();
    const canvas = (await screen.findByTestId('seat-canvas')) as CanvasWithProbe;
    expect(canvas.getAttribute('aria-label')).toBe(
      'Plan of Town Hall: 4 seats; Premium 85.00, Standard 45.00. To choose seats by keyboard or screen reader, use the List view.',
    );
    const legend = screen.getByTestId('category-legend');
    // counted live from the seats (one Premium held, one Standard blocked), not the event's 3 and 2
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Premium 85.00 · 1 left', 'Standard 45.00 · 1 left']);
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
      'Stalls, row B, seat 1, Standard 45.00, available',
      'Stalls, row B, seat 2, Standard 45.00, not for sale',
    ]);
    const a1 = within(list).getByRole('button', { name: 'Stalls, row A, seat 1, Premium 85.00, available, wheelchair space' });
    act(() => a1.focus());
    expect(screen.getByTestId('seat-tooltip').textContent).toBe('A1Stalls · row APremium · 85.00available · wheelchair space');
    fireEvent.click(a1);
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 1));
    expect(localStorage.getItem('seatmap.view')).toBe('list');
  });

  describe('the block Find seats holds is brought into view', () => {
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
      for (let i = 0; i < 6; i += 1) fireEvent.keyDown(viewport, { key: 'ArrowRight' }); // off to the right of the room
      const zoomed = canvas.seatMap!.view();
      expect(onCanvas(canvas.seatMap!.seatPoint(1)!)).toBe(false);

      const submit = screen.getByTestId('find-seats-submit');
      act(() => submit.focus());
      fireEvent.click(submit);
      await waitFor(() => expect(screen.getByTestId('find-seats-result').textContent).toMatch(/^Found 2 seats/));
      expect(onCanvas(canvas.seatMap!.seatPoint(1)!)).toBe(true);
      expect(onCanvas(canvas.seatMap!.seatPoint(3)!)).toBe(true);
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
});
