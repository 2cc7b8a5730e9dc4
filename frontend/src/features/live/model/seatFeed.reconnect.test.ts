import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../../../test/fakeWebSocket';
import { openLiveSocket } from '../../../lib/ws-client';
import { SeatFeed } from './seatFeed';
import { apiSeat, T } from './seatFeed.fixtures';
import { SeatStore } from '../../seat-map';

describe('SeatFeed over the real reconnecting socket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  const LATER = '2026-12-22T10:09:00Z';

  /** A live feed whose first snapshot said seats 1 and 2 are held, and a push then held seat 3. */
  async function liveFeed() {
    const store = new SeatStore();
    store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3)]);
    const onReconnected = vi.fn();
    const feed = new SeatFeed({
      eventId: 1,
      store,
      onReconnected,
      openSocket: (handlers) =>
        // random 0: the first delay is exactly minDelayMs and the 4429 pause exactly 10 s.
        openLiveSocket({ url: 'ws://test/ws/events/1/', WebSocket: FakeWebSocket, minDelayMs: 1_000, random: () => 0, ...handlers }),
    });
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeWebSocket.all[0];
    first.serverOpen();
    first.serverSend({
      type: 'snapshot',
      event_id: 1,
      seq: 3,
      epoch: 'e1',
      seats: [
        { id: 1, status: 'locked', version: 2, locked_until: T },
        { id: 2, status: 'locked', version: 2, locked_until: T },
        { id: 3, status: 'available', version: 1, locked_until: null },
      ],
    });
    first.serverSend({ type: 'seats', event_id: 1, seq: 4, epoch: 'e1', changes: [{ id: 3, status: 'locked', version: 2, locked_until: T }] });
    expect(feed.getStatus().connection).toBe('live');
    expect(store.getSeat(3)?.status).toBe('locked');
    return { store, feed, first, onReconnected };
  }

  const liveState = (store: SeatStore, id: number) => {
    const seat = store.getSeat(id);
    return seat && { id, status: seat.status, version: seat.version, lockedUntil: seat.lockedUntil };
  };

  it.each([
    [4408, 1_000],
    [4429, 10_000],
    [4503, 1_000],
    [1009, 1_000],
    [1011, 1_000],
  ])('after close code %i: reconnects after %i ms and takes the new snapshot whole', async (code, delayMs) => {
    const { store, feed, first, onReconnected } = await liveFeed();

    first.serverDrop(code);
    expect(feed.getStatus()).toMatchObject({ connection: 'reconnecting', closeCode: code });
    await vi.advanceTimersByTimeAsync(delayMs - 1);
    expect(FakeWebSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    const second = FakeWebSocket.all[1];
    second.serverOpen();
    expect(feed.getStatus()).toMatchObject({ connection: 'syncing', closeCode: null });

    // While away: seat 1 was released, seat 2 booked, seat 3 released and held again.
    const snapshot = [
      { id: 1, status: 'available', version: 3, locked_until: null },
      { id: 2, status: 'reserved', version: 3, locked_until: null },
      { id: 3, status: 'locked', version: 4, locked_until: LATER },
    ] as const;
    second.serverSend({ type: 'snapshot', event_id: 1, seq: 9, epoch: 'e1', seats: snapshot });
    expect(feed.getStatus().connection).toBe('live');
    expect(onReconnected).toHaveBeenCalledTimes(1);
    expect([1, 2, 3].map((id) => liveState(store, id))).toEqual(
      snapshot.map((s) => ({ id: s.id, status: s.status, version: s.version, lockedUntil: s.locked_until && Date.parse(s.locked_until) })),
    );

    // Nothing stale comes back: not the dropped socket, not a message the snapshot already holds.
    first.serverSend({ type: 'seats', event_id: 1, seq: 10, epoch: 'e1', changes: [{ id: 1, status: 'locked', version: 9, locked_until: T }] });
    second.serverSend({ type: 'seats', event_id: 1, seq: 8, epoch: 'e1', changes: [{ id: 1, status: 'locked', version: 9, locked_until: T }] });
    expect(liveState(store, 1)).toEqual({ id: 1, status: 'available', version: 3, lockedUntil: null });
    expect(second.sent).toEqual([]);
    feed.stop();
  });

  it('re-reads over HTTP only once a reconnected socket sent its snapshot, not per refused try', async () => {
    const { feed, first, onReconnected } = await liveFeed();
    first.serverDrop(4429);
    await vi.advanceTimersByTimeAsync(10_000);
    // Still capped: accepted, then closed at once, no snapshot.
    FakeWebSocket.all[1].serverOpen();
    FakeWebSocket.all[1].serverDrop(4429);
    await vi.advanceTimersByTimeAsync(16_000); // 10 s x the default growth of 1.6
    expect(FakeWebSocket.all).toHaveLength(3);
    const third = FakeWebSocket.all[2];
    third.serverOpen();
    expect(onReconnected).not.toHaveBeenCalled();
    third.serverSend({ type: 'snapshot', event_id: 1, seq: 5, epoch: 'e1', seats: [] });
    expect(onReconnected).toHaveBeenCalledTimes(1);
    third.serverSend({ type: 'snapshot', event_id: 1, seq: 5, epoch: 'e1', seats: [] });
    expect(onReconnected).toHaveBeenCalledTimes(1);
    feed.stop();
  });

  it('after close code 4404 (unknown event): stops for good and says so', async () => {
    const { store, feed, first, onReconnected } = await liveFeed();
    first.serverDrop(4404);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(feed.getStatus()).toMatchObject({ connection: 'gone', closeCode: 4404 });
    expect(onReconnected).not.toHaveBeenCalled();
    expect(liveState(store, 3)).toMatchObject({ status: 'locked', version: 2 });
  });

  it('drops, reconnects after the backoff, and resyncs from the new snapshot', async () => {
    const store = new SeatStore();
    store.loadFromApi([apiSeat(1), apiSeat(2)]);
    const onReconnected = vi.fn();
    const feed = new SeatFeed({
      eventId: 1,
      store,
      onReconnected,
      openSocket: (handlers) =>
        openLiveSocket({ url: 'ws://test/ws/events/1/', WebSocket: FakeWebSocket, minDelayMs: 1_000, ...handlers }),
    });
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeWebSocket.all[0];
    first.serverOpen();
    first.serverSend({ type: 'snapshot', event_id: 1, seq: 3, epoch: 'e1', seats: [] });
    expect(feed.getStatus().connection).toBe('live');

    first.serverDrop();
    expect(feed.getStatus().connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    const second = FakeWebSocket.all[1];
    second.serverOpen();
    expect(feed.getStatus().connection).toBe('syncing');
    // What happened while away arrives in the new connection's snapshot.
    second.serverSend({
      type: 'snapshot',
      event_id: 1,
      seq: 9,
      epoch: 'e1',
      seats: [{ id: 2, status: 'reserved', version: 4, locked_until: null }],
    });
    expect(store.getSeat(2)?.status).toBe('reserved');
    expect(feed.getStatus().connection).toBe('live');
    expect(onReconnected).toHaveBeenCalledTimes(1);
    second.serverSend({ type: 'seats', event_id: 1, seq: 11, epoch: 'e1', changes: [] });
    expect(second.sent).toContain(JSON.stringify({ type: 'snapshot' }));
    feed.stop();
    expect(feed.getStatus().connection).toBe('gone');
  });
});
