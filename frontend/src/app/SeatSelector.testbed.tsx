// What the SeatSelector tests (SeatSelector*.test.tsx) run against: the server's calls mocked,
// a room of four seats, and a jsdom page with a canvas that records what it is asked to draw.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, vi } from 'vitest';
import type { ApiLayout, ApiSeat, ApiSeatMap, ApiSeatStates } from '../features/seat-map';
import { ApiError } from '../lib/api-client';
import type { LiveSocketOptions } from '../lib/ws-client';
import { SeatSelector } from './SeatSelector';

/** What the mocked calls answer and record; a test sets `seats` and `room` before it mounts. */
const mocks = vi.hoisted(() => ({
  seats: [] as ApiSeat[],
  /** The room of the event, or null for a plain grid. */
  room: null as ApiLayout | null,
  lock: vi.fn(),
  reserve: vi.fn(),
  /** `holds/run/`: the buyer's run and seats as the server counts them (none held, 10 and 10 unless a test says). */
  holdRun: vi.fn(),
  best: vi.fn(),
  /** Redis is gone: `state/` answers 503, as API.md says, and the seat list still answers. */
  redisGone: false,
  /** `holds/`: the seats the server holds for the buyer (a test that makes a lock succeed adds its seat). */
  ownHolds: [] as { id: number; locked_until: string }[],
  seatListReads: 0,
  /** The page's socket as the server sees it: its handlers (to play the server) and what it sent. */
  socket: null as null | { handlers: Pick<LiveSocketOptions, 'onMessage' | 'onOpen' | 'onStateChange'>; sent: Record<string, unknown>[] },
}));

export { mocks };

vi.mock('../features/find-seats/api/best', () => ({ findBestSeats: (...args: unknown[]) => mocks.best(...args) }));

vi.mock('../features/holds/api/seats', () => ({
  lockSeat: (...args: unknown[]) => mocks.lock(...args),
  unlockSeat: vi.fn(),
  extendSeat: vi.fn(),
  reserveSeats: (...args: unknown[]) => mocks.reserve(...args),
  lockSeats: vi.fn(),
  fetchHoldRun: (...args: unknown[]) => mocks.holdRun(...args),
}));

/** The documents `map/` and `state/` would answer for `mocks.seats` in `mocks.room`. */
vi.mock('../features/seat-map/api/seatMap', () => ({
  fetchSeatMap: async (eventId: number) => mapDocument(eventId, mocks.seats, mocks.room),
  fetchSeatStates: async (eventId: number) => {
    if (mocks.redisGone) throw new ApiError(503, 'unavailable', 'The live feed is out of reach.');
    return stateDocument(eventId, mocks.seats);
  },
  fetchOwnHolds: async (eventId: number) => {
    if (mocks.redisGone) throw new ApiError(503, 'unavailable', 'The live feed is out of reach.');
    return { event_id: eventId, seats: mocks.ownHolds, booked: [] };
  },
  fetchSeatList: async (eventId: number) => {
    mocks.seatListReads += 1;
    return { event_id: eventId, seats: mocks.seats };
  },
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
  openLiveSocket: (handlers: LiveSocketOptions) => {
    const sent: Record<string, unknown>[] = [];
    mocks.socket = { handlers, sent };
    const send = (frame: Record<string, unknown>) => {
      sent.push(frame);
      return true;
    };
    return { send, reconnect: () => {}, close: () => {}, state: 'connecting' };
  },
}));

function seat(id: number, row: string, n: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `${row}${n}`, section: 'Stalls', row, number: n, price: '85.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

export const CATEGORIES = [
  { id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf', seats_total: 4, seats_available: 3 },
  { id: 2, name: 'Standard', price: '45.00', colour: '#009e73', seats_total: 2, seats_available: 2 },
];

export const ROOM_SEATS = [
  seat(1, 'A', 1, { category: 1, accessible: true }),
  seat(2, 'A', 2, { category: 1, status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z' }),
  seat(3, 'B', 1, { category: 2, price: '45.00' }),
  seat(4, 'B', 2, { category: 2, price: '45.00', status: 'reserved', blocked: true }),
];

export const LAYOUT: ApiLayout = {
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

export function mount(props: Partial<Parameters<typeof SeatSelector>[0]> = {}) {
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
      get: (_t, prop) => {
        if (prop === 'measureText') return (text: string) => ({ width: text.length * 7 });
        return typeof prop === 'string' ? (...args: unknown[]) => void calls.push(`${prop}(${args.map(String).join(',')})`) : undefined;
      },
      set: () => true,
    },
  );
  return { ctx, calls };
}

/**
 * Before each test: fresh mocks, an empty localStorage, a 400 x 320 px viewport and a canvas
 * whose drawing is recorded in `globalThis.drawCalls`. After it, all of it undone, with whatever
 * a test's own set-up pushed on the returned list.
 */
export function setUpEachTest(): (() => void)[] {
  const restore: (() => void)[] = [];
  beforeEach(() => {
    localStorage.clear();
    mocks.lock.mockReset();
    mocks.holdRun.mockReset();
    mocks.holdRun.mockResolvedValue({ run_ends_at: null, hold_again_at: null, held: 0, booked: 0, purchase_limit: 10, hold_limit: 10, may_take: 10, most_at_once: 10 });
    mocks.room = null;
    mocks.redisGone = false;
    mocks.ownHolds = [];
    mocks.seatListReads = 0;
    mocks.socket = null;
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
    restore.length = 0;
  });
  return restore;
}
