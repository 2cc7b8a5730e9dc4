import { describe, expect, it } from 'vitest';
import { cooldownEnd, decodeHoldRun, nextRunChange, PAST_THE_CAP_MS, type HoldRun } from './holdRun';

const NOW = Date.parse('2026-12-22T10:00:00Z');
const NOTHING = { held: 0, booked: 0, purchase_limit: 10, hold_limit: 10, may_take: 10, most_at_once: 10 };
const run = (patch: Partial<HoldRun>): HoldRun => ({ runEndsAt: null, holdAgainAt: null, readAt: NOW, buyer: NOTHING, ...patch });

describe('the buyer\u2019s run of holds', () => {
  it('reads the answer of holds/run/ as instants, and the buyer\u2019s seats as the server counted them', () => {
    expect(decodeHoldRun({ run_ends_at: '2026-12-22T10:10:00Z', hold_again_at: null, ...NOTHING }, NOW)).toEqual(
      run({ runEndsAt: Date.parse('2026-12-22T10:10:00Z') }),
    );
    const seats = { held: 2, booked: 1, purchase_limit: 6, hold_limit: 10, may_take: 3, most_at_once: 5 };
    expect(decodeHoldRun({ run_ends_at: null, hold_again_at: '2026-12-22T10:05:00.250000Z', ...seats }, NOW)).toEqual(
      run({ holdAgainAt: NOW + 300_250, buyer: seats }),
    );
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
    expect(nextRunChange(run({ holdAgainAt: NOW + 300_000 }), NOW)).toEqual({ at: NOW + 300_000, read: false });
    expect(nextRunChange(run({ holdAgainAt: NOW + 300_000 }), NOW + 300_000)).toBeNull();
  });

  it('next: a run going on while nothing is held is read again a moment after it reaches its cap', () => {
    const going = run({ runEndsAt: NOW + 60_000 });
    expect(nextRunChange(going, NOW)).toEqual({ at: NOW + 60_000 + PAST_THE_CAP_MS, read: true });
    // Seats still held end by then, and their going has the run read (useHoldRun).
    expect(nextRunChange(run({ runEndsAt: NOW + 60_000, buyer: { ...NOTHING, held: 1, may_take: 9 } }), NOW)).toBeNull();
    // Already past on this clock: no read over and over.
    expect(nextRunChange(going, NOW + 60_000 + PAST_THE_CAP_MS)).toBeNull();
    expect(nextRunChange(run({}), NOW)).toBeNull();
    expect(nextRunChange(undefined, NOW)).toBeNull();
  });
});
