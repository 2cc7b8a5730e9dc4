import { describe, expect, it } from 'vitest';
import { describeCountdown, formatCountdown, remainingMs } from './countdown';

describe('countdown', () => {
  it('shows minutes and two-digit seconds, rounding down', () => {
    expect(formatCountdown(300_000)).toBe('5:00');
    expect(formatCountdown(299_999)).toBe('4:59');
    expect(formatCountdown(299_000)).toBe('4:59');
    expect(formatCountdown(65_000)).toBe('1:05');
    expect(formatCountdown(9_500)).toBe('0:09');
    expect(formatCountdown(999)).toBe('0:00');
  });

  it('never goes negative', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5_000)).toBe('0:00');
    expect(remainingMs(1_000, 5_000)).toBe(0);
    expect(remainingMs(null, 5_000)).toBe(0);
    expect(remainingMs(65_000, 5_000)).toBe(60_000);
  });

  it('has a spoken form', () => {
    expect(describeCountdown(299_500)).toBe('4 minutes 59 seconds left');
    expect(describeCountdown(60_000)).toBe('1 minute left');
    expect(describeCountdown(1_000)).toBe('1 second left');
    expect(describeCountdown(0)).toBe('0 seconds left');
  });
});
