import { describe, expect, it } from 'vitest';
import { StreamTracker } from './streamTracker';

function synced(epoch = 'e1', seq = 10): StreamTracker {
  const t = new StreamTracker();
  t.onSnapshot(epoch, seq);
  return t;
}

describe('StreamTracker', () => {
  it('awaits a snapshot on a fresh connection and is in step after it', () => {
    const t = new StreamTracker();
    expect(t.awaitingSnapshot).toBe(true);
    t.onSnapshot('e1', 10);
    expect(t.awaitingSnapshot).toBe(false);
    expect(t.position).toEqual({ epoch: 'e1', seq: 10 });
  });

  it('applies the next seq in order', () => {
    const t = synced();
    expect(t.onSeats('e1', 11)).toEqual({ action: 'apply', resync: false });
    expect(t.onSeats('e1', 12)).toEqual({ action: 'apply', resync: false });
    expect(t.position.seq).toBe(12);
  });

  it('drops a seq already seen (duplicate) and one already in the snapshot', () => {
    const t = synced();
    expect(t.onSeats('e1', 10)).toEqual({ action: 'drop' });
    expect(t.onSeats('e1', 9)).toEqual({ action: 'drop' });
    t.onSeats('e1', 11);
    expect(t.onSeats('e1', 11)).toEqual({ action: 'drop' });
  });

  it('asks for a snapshot on a gap, still applying the message (versions make it safe)', () => {
    const t = synced();
    expect(t.onSeats('e1', 13)).toEqual({ action: 'apply', resync: true, reason: 'gap' });
    expect(t.awaitingSnapshot).toBe(true);
  });

  it('applies a merged message that starts right after the last seq, or reaches back over it', () => {
    const t = synced();
    expect(t.onSeats('e1', 15, 11)).toEqual({ action: 'apply', resync: false });
    expect(t.position.seq).toBe(15);
    expect(t.onSeats('e1', 19, 14)).toEqual({ action: 'apply', resync: false });
    expect(t.position.seq).toBe(19);
  });

  it('drops a merged message whose every seq was seen, and sees a gap before one that starts late', () => {
    const t = synced();
    expect(t.onSeats('e1', 10, 7)).toEqual({ action: 'drop' });
    expect(t.onSeats('e1', 16, 12)).toEqual({ action: 'apply', resync: true, reason: 'gap' });
  });

  it('asks only once while a snapshot is on its way', () => {
    const t = synced();
    t.onSeats('e1', 13);
    expect(t.onSeats('e1', 16)).toEqual({ action: 'apply', resync: false, reason: 'gap' });
    t.onSnapshot('e1', 16);
    expect(t.awaitingSnapshot).toBe(false);
    expect(t.onSeats('e1', 18)).toEqual({ action: 'apply', resync: true, reason: 'gap' });
  });

  it('asks for a snapshot on a new epoch, whatever the seq', () => {
    const t = synced('e1', 500);
    expect(t.onSeats('e2', 1)).toEqual({ action: 'apply', resync: true, reason: 'epoch' });
    expect(t.position).toEqual({ epoch: 'e2', seq: 1 });
    t.onSnapshot('e2', 3);
    expect(t.onSeats('e2', 4)).toEqual({ action: 'apply', resync: false });
  });

  it('takes a snapshot of a new epoch as the new position, even with a lower seq', () => {
    const t = synced('e1', 500);
    t.onSnapshot('e2', 2);
    expect(t.position).toEqual({ epoch: 'e2', seq: 2 });
    expect(t.onSeats('e2', 3)).toEqual({ action: 'apply', resync: false });
  });

  it('never moves backwards on an older snapshot of the same epoch', () => {
    const t = synced('e1', 20);
    t.onSnapshot('e1', 15);
    expect(t.position.seq).toBe(20);
    expect(t.onSeats('e1', 18)).toEqual({ action: 'drop' });
  });

  it('applies messages that come before the first snapshot, and starts over on reset', () => {
    const t = new StreamTracker();
    expect(t.onSeats('e1', 7)).toEqual({ action: 'apply', resync: false });
    t.onSnapshot('e1', 7);
    t.reset();
    expect(t.awaitingSnapshot).toBe(true);
    expect(t.position).toEqual({ epoch: null, seq: null });
  });
});
