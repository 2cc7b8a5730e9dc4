import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { feedHarness, T } from './seatFeed.fixtures';

const setup = feedHarness;

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
