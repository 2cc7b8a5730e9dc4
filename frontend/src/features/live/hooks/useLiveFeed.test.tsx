// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../../lib/query-keys';
import { FakeWebSocket } from '../../../test/fakeWebSocket';
import { SeatStore } from '../../seat-map';
import { apiSeat } from '../model/seatFeed.fixtures';
import { useLiveFeed } from './useLiveFeed';

// PROTOCOL.md "The door": `door` frames are not sent again, so a console that reconnects reads
// the door's counts again.
describe('useLiveFeed in the console', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
    vi.stubGlobal('WebSocket', FakeWebSocket);
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('reads the door counts again after a reconnect', async () => {
    const client = new QueryClient();
    const invalidated = vi.spyOn(client, 'invalidateQueries');
    const store = new SeatStore();
    store.loadFromApi([apiSeat(1)]);
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    renderHook(() => useLiveFeed(1, store, { epoch: 'e1', seq: 4 }, { console: true }), { wrapper });
    await act(() => vi.advanceTimersByTimeAsync(0));
    FakeWebSocket.all[0].serverOpen();
    FakeWebSocket.all[0].serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 4 });
    FakeWebSocket.all[0].serverDrop();
    await act(() => vi.advanceTimersByTimeAsync(3_000));
    const again = FakeWebSocket.all[FakeWebSocket.all.length - 1];
    again.serverOpen();
    again.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 4 });
    expect(invalidated.mock.calls.map(([filters]) => filters?.queryKey)).toContainEqual(queryKeys.doorCounts(1));
  });
});
