// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SeatStore, type ApiSeat } from '../../seat-map';
import type { Outcome } from '../model/seatActions';
import { useSeatActions } from './useSeatActions';

const mocks = vi.hoisted(() => ({ fetchHoldRun: vi.fn(), lockSeat: vi.fn() }));
vi.mock('../api/seats', () => ({
  fetchHoldRun: (...args: unknown[]) => mocks.fetchHoldRun(...args),
  lockSeat: (...args: unknown[]) => mocks.lockSeat(...args),
  unlockSeat: vi.fn(),
  extendSeat: vi.fn(),
  reserveSeats: vi.fn(),
}));

const LATER = new Date(Date.now() + 300_000).toISOString();
/** `holds/run/` of a buyer at a purchase limit of one seat, holding `held`. */
const run = (held: number) => ({
  run_ends_at: null, hold_again_at: null, held, booked: 0, purchase_limit: 1, hold_limit: 10, may_take: 1 - held, most_at_once: 1,
});

function seat(id: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `A${id}`, section: 'Floor', row: 'A', number: id, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

afterEach(cleanup);

describe('useSeatActions', () => {
  it('refuses a click past the limit from the server\u2019s count, but asks while that count is read again', async () => {
    const store = new SeatStore();
    store.loadFromApi([seat(1, { status: 'locked', version: 2, locked_until: LATER, mine: true }), seat(2)]);
    mocks.fetchHoldRun.mockResolvedValue(run(1));
    const outcomes: Outcome[] = [];
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    const { result } = renderHook(() => useSeatActions(7, store, true, (o) => outcomes.push(o)), { wrapper });
    await waitFor(() => expect(result.current.buyer?.held).toBe(1));

    act(() => result.current.toggle(2)); // at the limit: told, nothing asked
    await waitFor(() => expect(outcomes).toHaveLength(1));
    expect(outcomes[0].text).toContain('at most 1 seat');
    expect(mocks.lockSeat).not.toHaveBeenCalled();

    // Seat 1 let go of: the count of one held is read again; a click meanwhile is asked.
    mocks.fetchHoldRun.mockReturnValue(new Promise(() => {}));
    act(() => store.applyOwnAnswer(seat(1, { version: 3 })));
    await waitFor(() => expect(mocks.fetchHoldRun).toHaveBeenCalledTimes(2));
    mocks.lockSeat.mockResolvedValue({ seat: seat(2, { status: 'locked', version: 2, locked_until: LATER, mine: true }) });
    act(() => result.current.toggle(2));
    await waitFor(() => expect(mocks.lockSeat).toHaveBeenCalledWith(7, 2));
  });
});
