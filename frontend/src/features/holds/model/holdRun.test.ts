import { describe, expect, it } from 'vitest';
import { cooldownEnd, decodeHoldRun, lastSeatWent, nextRunChange, PAST_THE_CAP_MS, type HoldRun } from './holdRun';

const NOW = Date.parse('2026-12-22T10:00:00Z');
const run = (patch: Partial<HoldRun>): HoldRun => ({ runEndsAt: null, holdAgainAt: null, readAt: NOW, ...patch });

describe('the buyer\u2019s run of holds', () => {
  it('reads the answer of holds/run/ as instants', () => {
    expect(decodeHoldRun({ run_ends_at: '2026-12-22T10:10:00Z', hold_again_at: null }, NOW)).toEqual(
      run({ runEndsAt: Date.parse('2026-12-22T10:10:00Z') }),
    );
    expect(decodeHoldRun({ run_ends_at: null, hold_again_at: '2026-12-22T10:05:00.250000Z' }, NOW).holdAgainAt).toBe(NOW + 300_250);
  });

  it('is in its cooldown until hold_again_at, and not at or after it', () => {
    const capped = run({ holdAgainAt: NOW + 300_000 });
    expect(cooldownEnd(capped, NOW)).toBe(NOW + 300_000);
    expect(cooldownEnd(capped, NOW + 299_999)).toBe(NOW + 300_000);
    expect(cooldownEnd(capped, NOW + 300_000)).toBeNull();
    expect(cooldownEnd(run({ runEndsAt: NOW + 60_000 }), NOW)).toBeNull();
    expect(cooldownEnd(undefined, NOW)).toBeNull();
  });

  it('next: the cooldown\u2019s end takes the words away, without a read', () => {
    expect(nextRunChange(run({ holdAgainAt: NOW + 300_000 }), NOW, false)).toEqual({ at: NOW + 300_000, read: false });
    expect(nextRunChange(run({ holdAgainAt: NOW + 300_000 }), NOW + 300_000, false)).toBeNull();
  });

  it('next: a run going on while nothing is held is read again a moment after it reaches its cap', () => {
    const going = run({ runEndsAt: NOW + 60_000 });
    expect(nextRunChange(going, NOW, false)).toEqual({ at: NOW + 60_000 + PAST_THE_CAP_MS, read: true });
    // Seats still held end by then, and their going has the run read (lastSeatWent).
    expect(nextRunChange(going, NOW, true)).toBeNull();
    // Already past on this clock: no read over and over.
    expect(nextRunChange(going, NOW + 60_000 + PAST_THE_CAP_MS, false)).toBeNull();
    expect(nextRunChange(run({}), NOW, false)).toBeNull();
    expect(nextRunChange(undefined, NOW, false)).toBeNull();
  });

  it('is read again when the buyer\u2019s last held seat goes, not when one comes or more stay', () => {
    expect(lastSeatWent(true, false)).toBe(true);
    expect(lastSeatWent(false, true)).toBe(false);
    expect(lastSeatWent(true, true)).toBe(false);
    expect(lastSeatWent(false, false)).toBe(false);
  });
});
