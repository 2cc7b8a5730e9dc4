import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiSeat, feedHarness, T } from './seatFeed.fixtures';

// PROTOCOL.md "Your own seats": the socket says whose it is, and `own` frames make the buyer's
// holds and bookings theirs in every tab, never ahead of the stream.
function setup(token: (fresh: boolean) => Promise<string | null> = async () => 'tok') {
  const socketToken = vi.fn(token);
  const t = feedHarness({ socketToken });
  const open = async () => {
    t.open();
    await Promise.resolve(); // the token is asked for asynchronously
    await Promise.resolve();
  };
  return { ...t, socketToken, open };
}

const locked = (id: number, version: number) => ({ id, status: 'locked', version, locked_until: T });

describe('SeatFeed and the buyer’s own seats', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says whose the socket is on every connection of a logged-in page', async () => {
    const t = setup();
    await t.open();
    expect(t.sent).toContainEqual({ type: 'auth', token: 'tok' });
  });

  it('says nothing for a visitor who is not logged in', async () => {
    const t = setup(async () => null);
    await t.open();
    expect(t.sent.filter((f) => f.type === 'auth')).toEqual([]);
  });

  it('makes a hold from another tab the buyer’s own once the stream shows it', async () => {
    const t = setup();
    await t.open();
    t.frame({ type: 'snapshot', seq: 5, epoch: 'e1', seats: [] });
    // The own frame is at seq 6, which this socket has not seen yet: it waits.
    t.frame({ type: 'own', epoch: 'e1', seq: 6, seats: [{ id: 2, locked_until: T }], booked: [] });
    expect(t.store.getSeat(2)?.mine).toBe(false);
    t.frame({ type: 'seats', seq: 6, epoch: 'e1', changes: [locked(2, 2)] });
    expect(t.store.getSeat(2)).toMatchObject({ status: 'locked', mine: true });
  });

  it('takes back a hold the buyer released in another tab', async () => {
    const t = setup();
    await t.open();
    t.frame({ type: 'snapshot', seq: 6, epoch: 'e1', seats: [locked(2, 2)] });
    t.frame({ type: 'own', epoch: 'e1', seq: 6, seats: [{ id: 2, locked_until: T }], booked: [] });
    expect(t.store.getSeat(2)?.mine).toBe(true);
    t.frame({ type: 'seats', seq: 7, epoch: 'e1', changes: [{ id: 2, status: 'available', version: 3, locked_until: null }] });
    t.frame({ type: 'own', epoch: 'e1', seq: 7, seats: [], booked: [] });
    expect(t.store.getSeat(2)).toMatchObject({ status: 'available', mine: false });
  });

  it('keeps a hold this page made after an older own frame came, when the stream reaches that frame', async () => {
    const t = setup();
    await t.open();
    t.frame({ type: 'snapshot', seq: 5, epoch: 'e1', seats: [] });
    // Seat 2 held at seq 6: its own frame comes before the (merged) seats message that shows it.
    t.frame({ type: 'own', epoch: 'e1', seq: 6, seats: [{ id: 2, locked_until: T }], booked: [] });
    // Seat 3 held at seq 7 by this page: its answer comes before that seats message too.
    t.store.beginAction(3, 'lock');
    t.store.applyOwnAnswer({ ...apiSeat(3), status: 'locked', version: 2, locked_until: T, mine: true });
    t.store.endAction(3, true);
    const lost = vi.fn();
    t.store.subscribeHoldLost(lost);
    t.frame({ type: 'seats', seq: 7, first_seq: 6, epoch: 'e1', changes: [locked(2, 2), locked(3, 2)] });
    expect(t.store.getHeld().map((s) => s.id)).toEqual([2, 3]);
    expect(lost).not.toHaveBeenCalled();
  });

  it('marks seats the buyer booked elsewhere as theirs', async () => {
    const t = setup();
    await t.open();
    t.frame({ type: 'snapshot', seq: 8, epoch: 'e1', seats: [{ id: 3, status: 'reserved', version: 4, locked_until: null }] });
    t.frame({ type: 'own', epoch: 'e1', seq: 8, seats: [], booked: [3] });
    expect(t.store.getSeat(3)).toMatchObject({ status: 'reserved', mine: true });
  });

  it('asks once for a fresh token when the server refuses the one it had', async () => {
    const t = setup(async (fresh) => (fresh ? 'new' : 'stale'));
    await t.open();
    t.frame({ type: 'error', code: 'not_authenticated' });
    await Promise.resolve();
    await Promise.resolve();
    t.frame({ type: 'error', code: 'not_authenticated' });
    await Promise.resolve();
    expect(t.socketToken.mock.calls).toEqual([[false], [true]]);
    expect(t.sent.filter((f) => f.type === 'auth')).toEqual([
      { type: 'auth', token: 'stale' },
      { type: 'auth', token: 'new' },
    ]);
  });

  it('asks for a fresh token again each time one it was taken with expires', async () => {
    let issued = 0;
    const t = setup(async () => `token-${++issued}`);
    await t.open();
    for (let round = 0; round < 2; round++) {
      t.frame({ type: 'own', epoch: 'e1', seq: 0, seats: [], booked: [] }); // taken
      t.frame({ type: 'error', code: 'not_authenticated' }); // expired, an hour later
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(t.sent.filter((f) => f.type === 'auth').map((f) => f.token)).toEqual(['token-1', 'token-2', 'token-3']);
  });
});
