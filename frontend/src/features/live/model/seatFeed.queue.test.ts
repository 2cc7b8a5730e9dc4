import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { feedHarness, T } from './seatFeed.fixtures';

// PROTOCOL.md "Waiting room": a socket on a queued event waits (queue frames, no snapshot) until
// the page shows a turn token; then it gets the snapshot and the seats as any socket.
function setup() {
  const t = feedHarness({ socketToken: async () => 'access' });
  const open = async (reconnect = false) => {
    t.open(reconnect);
    await vi.advanceTimersByTimeAsync(0); // `auth` waits for the access token
  };
  const queue = (patch: Record<string, unknown> = {}) =>
    t.frame({ type: 'queue', state: 'admitting', reason: '', serving: 10, rate: 5, at: '2026-12-01T10:00:00Z', ...patch });
  const turns = () => t.sent.filter((f) => f.type === 'turn');
  return { ...t, open, queue, turns };
}

describe('SeatFeed in a waiting room', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits, without asking for snapshots it will not get, and keeps the newest frame', async () => {
    const t = setup();
    await t.open();
    expect(t.feed.getStatus().connection).toBe('syncing');
    t.queue({ serving: 10 });
    expect(t.feed.getStatus().connection).toBe('waiting');
    t.queue({ serving: 25, at: '2026-12-01T10:00:05Z' });
    expect(t.feed.getQueue().frame).toMatchObject({ type: 'queue', serving: 25 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sent.filter((f) => f.type === 'snapshot')).toEqual([]);
    expect(t.feed.getStatus()).toMatchObject({ connection: 'waiting', resyncs: 0 });
  });

  it('tells the page its place', async () => {
    const t = setup();
    const heard = vi.fn();
    t.feed.subscribeStatus(heard);
    await t.open();
    t.frame({ type: 'place', entry_id: 'k7x2', number: null, late: false });
    expect(t.feed.getQueue().place).toMatchObject({ entry_id: 'k7x2', number: null });
    t.frame({ type: 'place', entry_id: 'k7x2', number: 4321, late: false });
    expect(t.feed.getQueue().place?.number).toBe(4321);
    expect(heard).toHaveBeenCalled();
    t.frame({ type: 'place', entry_id: 7 }); // not a place frame: ignored
    expect(t.feed.getQueue().place?.number).toBe(4321);
  });

  it('shows the turn after auth, stops waiting at the snapshot, and shows it again on each connection', async () => {
    const t = setup();
    t.feed.setTurn('turn-1');
    await t.open();
    expect(t.sent.map((f) => f.type)).toEqual(['auth', 'ping', 'turn']);
    expect(t.turns()).toEqual([{ type: 'turn', token: 'turn-1' }]);
    t.queue();
    t.snapshot(5, [{ id: 1, status: 'locked', version: 2, locked_until: T }]);
    expect(t.feed.getStatus().connection).toBe('live');
    expect(t.store.getSeat(1)?.status).toBe('locked');
    // queue frames go on after the snapshot (a sold out is told to every buyer): still live
    t.queue({ state: 'sold_out', at: '2026-12-01T10:00:09Z' });
    expect(t.feed.getStatus().connection).toBe('live');
    expect(t.feed.getQueue().frame?.state).toBe('sold_out');

    t.handlers().onStateChange?.('reconnecting');
    await t.open(true);
    expect(t.turns()).toHaveLength(2);
    // the same token is not sent twice on one connection
    t.feed.setTurn('turn-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.turns()).toHaveLength(2);
  });

  it('shows a turn claimed while the socket waits, at once', async () => {
    const t = setup();
    await t.open();
    t.queue();
    expect(t.turns()).toEqual([]);
    t.feed.setTurn('turn-2');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.turns()).toEqual([{ type: 'turn', token: 'turn-2' }]);
    // a turn that ended is not shown on the next connection
    t.feed.setTurn(null);
    t.handlers().onStateChange?.('reconnecting');
    await t.open(true);
    expect(t.turns()).toHaveLength(1);
  });

  it('goes on waiting when the turn is refused, and says which token was', async () => {
    const t = setup();
    t.feed.setTurn('old');
    await t.open();
    t.queue();
    t.frame({ type: 'error', code: 'queue_turn_expired' });
    expect(t.feed.getStatus().connection).toBe('waiting');
    expect(t.feed.getQueue().refusal).toEqual({ code: 'queue_turn_expired', token: 'old' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.sent.filter((f) => f.type === 'snapshot')).toEqual([]);
  });

  it('leaves an event without a waiting room as it was: a snapshot, never a turn', async () => {
    const t = setup();
    await t.open();
    t.snapshot(3);
    expect(t.feed.getStatus().connection).toBe('live');
    expect(t.feed.getQueue()).toEqual({ frame: null, place: null, refusal: null });
    expect(t.turns()).toEqual([]);
  });

  it('takes a fresh token at each expiry while it waits, though a waiting socket gets no `own` frame', async () => {
    let issued = 0;
    const t = feedHarness({ socketToken: async () => `token-${++issued}` });
    t.open();
    await vi.advanceTimersByTimeAsync(0);
    t.frame({ type: 'queue', state: 'scheduled', reason: '', serving: 0, rate: 5, at: '2026-12-01T10:00:00Z' });
    for (let expiry = 0; expiry < 3; expiry++) {
      t.frame({ type: 'pong' }); // the auth was taken (no place yet: nothing else is said)
      t.frame({ type: 'error', code: 'not_authenticated' }); // its token expired, 15 minutes on
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(t.sent.filter((f) => f.type === 'auth').map((f) => f.token)).toEqual(['token-1', 'token-2', 'token-3', 'token-4']);
  });

  it('stays anonymous when the fresh token is refused too, its ping answered or not', async () => {
    const t = feedHarness({ socketToken: async (fresh) => (fresh ? 'new' : 'stale') });
    t.open();
    await vi.advanceTimersByTimeAsync(0);
    for (let round = 0; round < 3; round++) {
      t.frame({ type: 'error', code: 'not_authenticated' });
      t.frame({ type: 'pong' });
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(t.sent.filter((f) => f.type === 'auth').map((f) => f.token)).toEqual(['stale', 'new']);
  });
});
