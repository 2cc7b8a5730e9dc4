import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../../../test/fakeWebSocket';
import { openLiveSocket, type LiveSocket, type LiveSocketOptions } from '../../../lib/ws-client';
import { SeatFeed, resumeQuery } from './seatFeed';
import { SeatStore, type ApiSeat } from '../../seat-map';

const T = '2026-12-22T10:05:00Z';

function apiSeat(id: number): ApiSeat {
  return { id, label: `A${id}`, section: 'Floor', row: 'A', number: id, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false };
}

function setup() {
  const store = new SeatStore();
  store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3)]);
  const sent: Record<string, unknown>[] = [];
  let handlers!: Pick<LiveSocketOptions, 'onMessage' | 'onOpen' | 'onStateChange'>;
  const socket: LiveSocket = {
    send: (frame) => {
      sent.push(frame);
      return true;
    },
    reconnect: vi.fn(),
    close: vi.fn(),
    state: 'open',
  };
  const onReconnected = vi.fn();
  const feed = new SeatFeed({
    eventId: 1,
    store,
    onReconnected,
    openSocket: (h) => {
      handlers = h;
      return socket;
    },
  });
  feed.start();
  const open = (reconnect = false) => {
    handlers.onStateChange?.('open');
    handlers.onOpen?.({ reconnect });
  };
  const frame = (f: Record<string, unknown>) => handlers.onMessage({ event_id: 1, ...f });
  const snapshot = (seq: number, seats: unknown[] = [], epoch = 'e1') => frame({ type: 'snapshot', seq, epoch, seats });
  const seats = (seq: number, changes: unknown[], epoch = 'e1') => frame({ type: 'seats', seq, epoch, changes });
  return { store, feed, sent, handlers: () => handlers, open, frame, snapshot, seats, onReconnected };
}

describe('SeatFeed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is syncing until the first snapshot, then live', () => {
    const t = setup();
    expect(t.feed.getStatus().connection).toBe('connecting');
    t.open();
    expect(t.feed.getStatus().connection).toBe('syncing');
    t.snapshot(5, [{ id: 1, status: 'locked', version: 2, locked_until: T }]);
    expect(t.feed.getStatus().connection).toBe('live');
    expect(t.store.getSeat(1)?.status).toBe('locked');
  });

  it('applies changes in order and drops duplicates', () => {
    const t = setup();
    t.open();
    t.snapshot(5);
    t.seats(6, [{ id: 2, status: 'locked', version: 2, locked_until: T }]);
    t.seats(6, [{ id: 2, status: 'locked', version: 2, locked_until: T }]);
    t.seats(7, [{ id: 2, status: 'reserved', version: 3, locked_until: null }]);
    expect(t.store.getSeat(2)).toMatchObject({ status: 'reserved', version: 3 });
    expect(t.sent).toEqual([]);
  });

  it('asks for a snapshot over the socket on a seq gap and catches up from it', () => {
    const t = setup();
    t.open();
    t.snapshot(5);
    t.seats(8, [{ id: 3, status: 'locked', version: 4, locked_until: T }]);
    expect(t.sent).toEqual([{ type: 'snapshot' }]);
    expect(t.feed.getStatus().connection).toBe('syncing');
    t.snapshot(8, [
      { id: 1, status: 'reserved', version: 3, locked_until: null },
      { id: 3, status: 'locked', version: 4, locked_until: T },
    ]);
    expect(t.store.getSeat(1)?.status).toBe('reserved');
    expect(t.feed.getStatus()).toMatchObject({ connection: 'live', resyncs: 1 });
  });

  it('asks for a snapshot on a new epoch', () => {
    const t = setup();
    t.open();
    t.snapshot(100);
    t.seats(1, [{ id: 1, status: 'locked', version: 2, locked_until: T }], 'e2');
    expect(t.sent).toEqual([{ type: 'snapshot' }]);
    expect(t.store.getSeat(1)?.status).toBe('locked');
  });

  it('asks again when an awaited snapshot does not come', () => {
    const t = setup();
    t.open();
    t.snapshot(5);
    t.seats(9, []);
    expect(t.sent).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(t.sent).toHaveLength(2);
    t.snapshot(9);
    vi.advanceTimersByTime(20_000);
    expect(t.sent).toHaveLength(2);
  });

  it('after a reconnect, waits for the new snapshot and refreshes what only HTTP knows', () => {
    const t = setup();
    t.open();
    t.snapshot(5);
    t.handlers().onStateChange?.('reconnecting');
    expect(t.feed.getStatus().connection).toBe('reconnecting');
    t.open(true);
    expect(t.feed.getStatus().connection).toBe('syncing');
    expect(t.onReconnected).not.toHaveBeenCalled();
    // the server's counter moved on while we were away: no gap is claimed against the old position
    t.snapshot(42, [{ id: 2, status: 'reserved', version: 5, locked_until: null }]);
    expect(t.store.getSeat(2)?.status).toBe('reserved');
    expect(t.onReconnected).toHaveBeenCalledTimes(1);
    t.seats(43, []);
    expect(t.sent).toEqual([]);
    expect(t.feed.getStatus().connection).toBe('live');
  });

  it('shows presence and ignores frames for other events or of unknown shape', () => {
    const t = setup();
    t.open();
    t.frame({ type: 'presence', watchers: 12 });
    expect(t.feed.getStatus().watchers).toBe(12);
    t.handlers().onMessage({ type: 'presence', event_id: 2, watchers: 99 });
    t.frame({ type: 'seats', seq: 'x', changes: [] });
    t.frame({ type: 'error', code: 'invalid' });
    t.frame({ type: 'pong' });
    expect(t.feed.getStatus().watchers).toBe(12);
  });

  it('is gone when the socket is closed for good (unknown event)', () => {
    const t = setup();
    t.handlers().onStateChange?.('closed', { code: 4404 });
    expect(t.feed.getStatus()).toMatchObject({ connection: 'gone', closeCode: 4404 });
  });

  it('keeps the close code while reconnecting and forgets it once open', () => {
    const t = setup();
    t.open();
    t.handlers().onStateChange?.('reconnecting', { code: 4503 });
    expect(t.feed.getStatus()).toMatchObject({ connection: 'reconnecting', closeCode: 4503 });
    t.handlers().onStateChange?.('reconnecting', { code: 1006 });
    expect(t.feed.getStatus().closeCode).toBe(1006);
    t.open(true);
    expect(t.feed.getStatus()).toMatchObject({ connection: 'syncing', closeCode: null });
  });
});

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

describe('SeatFeed resuming (PROTOCOL.md "Resuming")', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  /** A feed whose store was loaded from `state/` at (e1, 20), on the real reconnecting socket. */
  async function arrived(from: { epoch: string; seq: number } | null = { epoch: 'e1', seq: 20 }) {
    const store = new SeatStore();
    store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3)]);
    const onReconnected = vi.fn();
    const feed = new SeatFeed({
      eventId: 1,
      store,
      onReconnected,
      openSocket: (handlers, resumeFrom) =>
        openLiveSocket({ url: () => `ws://test/ws/events/1/${resumeQuery(resumeFrom())}`, WebSocket: FakeWebSocket, minDelayMs: 1_000, random: () => 0, ...handlers }),
    });
    feed.start(from);
    await vi.advanceTimersByTimeAsync(0);
    return { store, feed, onReconnected, socket: (i: number) => FakeWebSocket.all[i] };
  }

  it('builds the query of the URL', () => {
    expect(resumeQuery(null)).toBe('');
    expect(resumeQuery({ epoch: 'k3 f9', seq: 120 })).toBe('?epoch=k3+f9&seq=120');
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

  it('asks for a snapshot when neither "resumed" nor a snapshot comes', async () => {
    const { feed, socket } = await arrived();
    socket(0).serverOpen();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket(0).sent).toContain(JSON.stringify({ type: 'snapshot' }));
    expect(feed.getStatus().connection).toBe('syncing');
    feed.stop();
  });
});
