// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeatStore, type ApiSeat } from '../../seat-map';
import { PAST_THE_CAP_MS } from '../model/holdRun';
import { useHoldRun } from './useHoldRun';

const mocks = vi.hoisted(() => ({ fetchHoldRun: vi.fn() }));
vi.mock('../api/seats', () => ({ fetchHoldRun: (...args: unknown[]) => mocks.fetchHoldRun(...args) }));

const NOW = Date.parse('2026-12-22T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const NOTHING = { held: 0, booked: 0, purchase_limit: 10, hold_limit: 10, may_take: 10, most_at_once: 10 };
/** What `holds/run/` answers: the run, and the buyer's seats (none unless given). */
const answer = (run_ends_at: number | null, hold_again_at: number | null, seats = NOTHING) => ({
  run_ends_at: run_ends_at === null ? null : iso(run_ends_at),
  hold_again_at: hold_again_at === null ? null : iso(hold_again_at),
  ...seats,
});

function seat(patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id: 1, label: 'A1', section: 'Floor', row: 'A', number: 1, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

function mount(store: SeatStore, loggedIn = true) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return renderHook(() => useHoldRun(7, store, loggedIn), { wrapper });
}

describe('useHoldRun', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.setSystemTime(NOW);
    mocks.fetchHoldRun.mockReset();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('reads the run on arrival and says the cooldown until it ends by itself, with no read more', async () => {
    mocks.fetchHoldRun.mockResolvedValue(answer(null, NOW + 120_000));
    const { result } = mount(new SeatStore());
    await waitFor(() => expect(result.current.holdAgainAt).toBe(NOW + 120_000));
    expect(mocks.fetchHoldRun).toHaveBeenCalledWith(7);
    act(() => void vi.advanceTimersByTime(NOW + 120_000 - Date.now() - 50));
    expect(result.current.holdAgainAt).toBe(NOW + 120_000);
    act(() => void vi.advanceTimersByTime(100));
    expect(result.current.holdAgainAt).toBeNull();
    expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(1);
  });

  it('reads it again when the last held seat goes, and says what it says then', async () => {
    const store = new SeatStore();
    store.loadFromApi([seat({ status: 'locked', version: 2, locked_until: iso(NOW + 60_000), mine: true })]);
    mocks.fetchHoldRun.mockResolvedValue(answer(NOW + 60_000, null, { ...NOTHING, held: 1, may_take: 9 }));
    const { result } = mount(store);
    await waitFor(() => expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(1));
    expect(result.current.holdAgainAt).toBeNull();

    mocks.fetchHoldRun.mockResolvedValue(answer(null, NOW + 300_000));
    act(() => store.applyOwnAnswer(seat({ version: 3 })));
    await waitFor(() => expect(result.current.holdAgainAt).toBe(NOW + 300_000));
    expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(2);
  });

  it('says a read is under way once the page\u2019s seats change, until its answer', async () => {
    const store = new SeatStore();
    store.loadFromApi([seat({ status: 'locked', version: 2, locked_until: iso(NOW + 60_000), mine: true })]);
    mocks.fetchHoldRun.mockResolvedValue(answer(NOW + 60_000, null, { ...NOTHING, held: 1, may_take: 9 }));
    const { result } = mount(store);
    await waitFor(() => expect(result.current.buyer?.held).toBe(1));
    expect(result.current.reading).toBe(false);

    let answered!: (value: unknown) => void;
    mocks.fetchHoldRun.mockReturnValue(new Promise((resolve) => (answered = resolve)));
    act(() => store.applyOwnAnswer(seat({ version: 3 }))); // let go of
    await waitFor(() => expect(result.current.reading).toBe(true)); // the count of 1 held is from before
    expect(result.current.buyer?.held).toBe(1);
    await act(async () => answered(answer(null, null)));
    await waitFor(() => expect(result.current.reading).toBe(false));
    expect(result.current.buyer?.held).toBe(0);
  });

  it('tells the buyer\u2019s seats as the server counts them, read again whenever those the page shows change', async () => {
    const store = new SeatStore();
    store.loadFromApi([seat(), seat({ id: 2, label: 'A2', number: 2 })]);
    // Another tab holds two more: the server counts them, the page does not show them.
    mocks.fetchHoldRun.mockResolvedValue(answer(null, null, { ...NOTHING, held: 2, may_take: 8 }));
    const { result } = mount(store);
    await waitFor(() => expect(result.current.buyer).toEqual({ ...NOTHING, held: 2, may_take: 8 }));

    mocks.fetchHoldRun.mockResolvedValue(answer(NOW + 60_000, null, { ...NOTHING, held: 3, may_take: 7 }));
    act(() => store.applyOwnAnswer(seat({ status: 'locked', version: 2, locked_until: iso(NOW + 60_000), mine: true })));
    await waitFor(() => expect(result.current.buyer?.held).toBe(3));
    mocks.fetchHoldRun.mockResolvedValue(answer(NOW + 60_000, null, { ...NOTHING, held: 2, booked: 1, may_take: 7, most_at_once: 9 }));
    act(() => store.applyOwnReservation([1]));
    await waitFor(() => expect(result.current.buyer?.booked).toBe(1));
    expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(3);
  });

  it('reads it again a moment after a run going on reaches its cap while nothing is held', async () => {
    mocks.fetchHoldRun.mockResolvedValue(answer(NOW + 30_000, null));
    const { result } = mount(new SeatStore());
    await waitFor(() => expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(1));
    mocks.fetchHoldRun.mockResolvedValue(answer(null, NOW + 330_000));
    // (The clock moves on by itself too: the cap is counted from where it is now.)
    const capped = NOW + 30_000 + PAST_THE_CAP_MS;
    act(() => void vi.advanceTimersByTime(capped - Date.now() - 50));
    expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(1);
    act(() => void vi.advanceTimersByTime(100));
    await waitFor(() => expect(result.current.holdAgainAt).toBe(NOW + 330_000));
    expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(2);
  });

  it('asks nothing and says nothing logged out', async () => {
    const { result } = mount(new SeatStore(), false);
    await act(async () => void vi.advanceTimersByTime(1_000));
    expect(result.current.holdAgainAt).toBeNull();
    expect(result.current.buyer).toBeUndefined();
    expect(mocks.fetchHoldRun).not.toHaveBeenCalled();
  });
});
