import { describe, expect, it } from 'vitest';
import { WARN_BEFORE_MS, holdWarning } from './holdWarning';

const NOW = 1_000_000;
const held = (id: number, secondsLeft: number) => ({ id, lockedUntil: NOW + secondsLeft * 1000 });

describe('hold warning timing (WCAG 2.2.1)', () => {
  it('warns at least 20 s before a hold ends', () => {
    expect(WARN_BEFORE_MS).toBeGreaterThanOrEqual(20_000);
  });

  it('is silent while every hold has longer than the window', () => {
    expect(holdWarning([held(1, 31), held(2, 300)], NOW)).toBeNull();
    expect(holdWarning([], NOW)).toBeNull();
  });

  it('warns once the first hold is within the window, naming the seats that end soon', () => {
    const w = holdWarning([held(2, 300), held(1, 30), held(3, 12)], NOW)!;
    expect(w.endingIds).toEqual([3, 1]);
    expect(w.endsAt).toBe(NOW + 12_000);
    expect(w.remainingMs).toBe(12_000);
    expect(w.extendableIds).toEqual([2, 1, 3]); // "Keep my seats" extends every held seat
    expect(w.capped).toBe(false);
  });

  it('stops warning when the hold has ended (the lapse notice takes over)', () => {
    expect(holdWarning([held(1, 0)], NOW)).toBeNull();
    expect(holdWarning([held(1, -5)], NOW)).toBeNull();
  });

  it('offers no extension for seats at the cap, and says when all ending seats are capped', () => {
    const w = holdWarning([held(1, 10), held(2, 200)], NOW, new Set([1]))!;
    expect(w.extendableIds).toEqual([2]);
    expect(w.capped).toBe(true);
  });
});
