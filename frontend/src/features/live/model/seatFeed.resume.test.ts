import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../../../test/fakeWebSocket';
import { openLiveSocket } from '../../../lib/ws-client';
import { SeatFeed, type SeatFeedOptions } from './seatFeed';
import { apiSeat, T } from './seatFeed.fixtures';
import { SeatStore } from '../../seat-map';

describe('SeatFeed resuming (PROTOCOL.md "Resuming")', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  /** A feed whose store was loaded from `state/` at (e1, 20), on the real reconnecting socket. */
  async function arrived(
    from: { epoch: string; seq: number } | null = { epoch: 'e1', seq: 20 },
    options: Pick<SeatFeedOptions, 'console' | 'onSeatsChanged'> = {},
  ) {
    const store = new SeatStore();
    store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3)]);
    const onReconnected = vi.fn();
    const feed = new SeatFeed({
      eventId: 1,
      store,
      onReconnected,
      openSocket: (handlers, query) =>
        openLiveSocket({ url: () => `ws://test/ws/events/1/${query()}`, WebSocket: FakeWebSocket, minDelayMs: 1_000, random: () => 0, ...handlers }),
      ...options,
    });
    feed.start(from);
    await vi.advanceTimersByTimeAsync(0);
    return { store, feed, onReconnected, socket: (i: number) => FakeWebSocket.all[i] };
  }

  it('builds the query of the URL', async () => {
    const { feed, socket } = await arrived({ epoch: 'k3 f9', seq: 120 }, { console: true });
    expect(socket(0).url).toBe('ws://test/ws/events/1/?epoch=k3+f9&seq=120&console=1');
    feed.stop();
  });

  it('opens the socket at the point of the state it was loaded with, and goes live on "resumed"', async () => {
    const { store, feed, socket } = await arrived();
    const first = socket(0);
    expect(first.url).toBe('ws://test/ws/events/1/?epoch=e1&seq=20');
    first.serverOpen();
    expect(feed.getStatus().connection).toBe('syncing');
    first.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 20 });
    expect(feed.getStatus()).toMatchObject({ connection: 'live', resumes: 1, resyncs: 0 });
    // What came after the state follows, in order: no gap is claimed.
    first.serverSend({ type: 'seats', event_id: 1, seq: 22, first_seq: 21, epoch: 'e1', changes: [{ id: 2, status: 'locked', version: 2, locked_until: T }] });
    expect(store.getSeat(2)).toMatchObject({ status: 'locked', version: 2, mine: false });
    expect(first.sent).toEqual([]);
    feed.stop();
  });

  it('takes a snapshot instead when the server cannot resume', async () => {
    const { store, feed, socket } = await arrived();
    const first = socket(0);
    first.serverOpen();
    first.serverSend({ type: 'snapshot', event_id: 1, seq: 300, epoch: 'e2', seats: [{ id: 1, status: 'reserved', version: 7, locked_until: null }] });
    expect(feed.getStatus()).toMatchObject({ connection: 'live', resumes: 0 });
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 7 });
    first.serverSend({ type: 'seats', event_id: 1, seq: 301, epoch: 'e2', changes: [] });
    expect(first.sent).toEqual([]);
    feed.stop();
  });

  it('connects without resuming when it has no point (no state was read)', async () => {
    const { feed, socket } = await arrived(null);
    expect(socket(0).url).toBe('ws://test/ws/events/1/');
    feed.stop();
  });

  it('on a reconnect, resumes from where the stream got to, and re-reads what only HTTP knows', async () => {
    const { store, feed, onReconnected, socket } = await arrived();
    const first = socket(0);
    first.serverOpen();
    first.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 20 });
    first.serverSend({ type: 'seats', event_id: 1, seq: 25, first_seq: 21, epoch: 'e1', changes: [{ id: 1, status: 'locked', version: 2, locked_until: T }] });
    expect(onReconnected).not.toHaveBeenCalled(); // the first connection is no reconnect

    first.serverDrop(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    const second = socket(1);
    expect(second.url).toBe('ws://test/ws/events/1/?epoch=e1&seq=25');
    second.serverOpen();
    second.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 25 });
    expect(feed.getStatus()).toMatchObject({ connection: 'live', resumes: 2 });
    expect(onReconnected).toHaveBeenCalledTimes(1);
    // What happened while away comes as seats messages after 25.
    second.serverSend({ type: 'seats', event_id: 1, seq: 27, first_seq: 26, epoch: 'e1', changes: [{ id: 1, status: 'reserved', version: 3, locked_until: null }] });
    expect(store.getSeat(1)).toMatchObject({ status: 'reserved', version: 3 });
    expect(second.sent).toEqual([]);
    feed.stop();
  });

  it('a connection that opened and dropped before any answer keeps the point to resume from', async () => {
    const { feed, socket } = await arrived();
    socket(0).serverOpen();
    socket(0).serverDrop(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket(1).url).toBe('ws://test/ws/events/1/?epoch=e1&seq=20');
    feed.stop();
  });

  it('after a gap there is nothing to resume from: the next connection takes a snapshot', async () => {
    const { feed, socket } = await arrived();
    const first = socket(0);
    first.serverOpen();
    first.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 20 });
    first.serverSend({ type: 'seats', event_id: 1, seq: 30, first_seq: 29, epoch: 'e1', changes: [] }); // 21..28 lost
    expect(first.sent).toEqual([JSON.stringify({ type: 'snapshot' })]);
    first.serverDrop(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket(1).url).toBe('ws://test/ws/events/1/');
    socket(1).serverOpen();
    socket(1).serverSend({ type: 'snapshot', event_id: 1, seq: 31, epoch: 'e1', seats: [] });
    expect(feed.getStatus().connection).toBe('live');
    socket(1).serverDrop(1006);
    await vi.advanceTimersByTimeAsync(2_000); // the delay grew: that connection was short
    expect(socket(2).url).toBe('ws://test/ws/events/1/?epoch=e1&seq=31'); // the snapshot's point
    feed.stop();
  });

  it('a "resumed" at a point it did not ask for is not trusted: it asks for a snapshot', async () => {
    const { feed, socket } = await arrived();
    const first = socket(0);
    first.serverOpen();
    first.serverSend({ type: 'resumed', event_id: 1, epoch: 'e1', seq: 19 });
    expect(first.sent).toEqual([JSON.stringify({ type: 'snapshot' })]);
    expect(feed.getStatus()).toMatchObject({ connection: 'syncing', resumes: 0 });
    first.serverSend({ type: 'snapshot', event_id: 1, seq: 21, epoch: 'e1', seats: [] });
    expect(feed.getStatus().connection).toBe('live');
    feed.stop();
  });

  it('takes a compact snapshot (a `state` frame, the server\'s default) in the order of the seats\' ids', async () => {
    const { store, feed, socket } = await arrived(null);
    const first = socket(0);
    expect(first.url).toBe('ws://test/ws/events/1/');
    first.serverOpen();
    first.serverSend({ type: 'state', event_id: 1, seq: 40, epoch: 'e2', seats_total: 3, status: 'alr', version: [2, 3, 4], locked_until: { 2: T } });
    expect(feed.getStatus()).toMatchObject({ connection: 'live', resumes: 0 });
    expect(store.getSeat(1)).toMatchObject({ status: 'available', version: 2 });
    expect(store.getSeat(2)).toMatchObject({ status: 'locked', version: 3, lockedUntil: Date.parse(T) });
    expect(store.getSeat(3)).toMatchObject({ status: 'reserved', version: 4 });
    first.serverSend({ type: 'seats', event_id: 1, seq: 41, epoch: 'e2', changes: [] });
    expect(first.sent).toEqual([]);
    feed.stop();
  });

  it('a `state` frame of other seats than the page has is not applied: the map is read again, then a compact snapshot asked again', async () => {
    const onSeatsChanged = vi.fn();
    const { store, feed, socket } = await arrived(null, { onSeatsChanged });
    socket(0).serverOpen();
    socket(0).serverSend({ type: 'state', event_id: 1, seq: 40, epoch: 'e2', seats_total: 4, status: 'rrrr', version: [5, 5, 5, 5], locked_until: {} });
    expect(store.getSeat(1)).toMatchObject({ status: 'available', version: 1 });
    expect(onSeatsChanged).toHaveBeenCalledOnce();
    expect(feed.getStatus().connection).toBe('syncing');
    store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3), apiSeat(4)]); // the map, read again
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket(0).sent).toEqual([JSON.stringify({ type: 'snapshot' })]); // on the same socket
    socket(0).serverSend({ type: 'state', event_id: 1, seq: 41, epoch: 'e2', seats_total: 4, status: 'aaar', version: [1, 1, 1, 5], locked_until: {} });
    expect(store.getSeat(4)).toMatchObject({ status: 'reserved', version: 5 });
    expect(feed.getStatus().connection).toBe('live');
    expect(FakeWebSocket.all.map((s) => s.url)).toEqual(['ws://test/ws/events/1/']); // never `?snapshot=full`
    feed.stop();
  });

  it('asks for a snapshot when neither "resumed" nor a snapshot comes', async () => {
    const { feed, socket } = await arrived();
    socket(0).serverOpen();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket(0).sent).toContain(JSON.stringify({ type: 'snapshot' }));
    expect(feed.getStatus().connection).toBe('syncing');
    feed.stop();
  });
});
