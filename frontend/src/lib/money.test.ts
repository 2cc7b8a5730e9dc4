import { describe, expect, it } from 'vitest';
import { formatCents, lesserOf, sumPrices, toCents } from './money';

describe('money in integer cents', () => {
  it('parses decimal strings', () => {
    expect(toCents('50.00')).toBe(5000);
    expect(toCents('0.10')).toBe(10);
    expect(toCents('120')).toBe(12000);
    expect(toCents('7.5')).toBe(750);
    expect(toCents('-3.05')).toBe(-305);
  });

  it('rejects anything that is not a two-place decimal', () => {
    expect(() => toCents('1.234')).toThrow();
    expect(() => toCents('abc')).toThrow();
    expect(() => toCents('')).toThrow();
  });

  it('formats cents back to two places', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(12345)).toBe('123.45');
    expect(formatCents(-305)).toBe('-3.05');
    expect(() => formatCents(1.5)).toThrow();
  });

  it('adds prices exactly where floats would drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumPrices(['0.10', '0.20'])).toBe('0.30');
    expect(sumPrices(Array.from({ length: 10 }, () => '0.10'))).toBe('1.00');
    expect(sumPrices(['50.00', '50.00', '120.00'])).toBe('220.00');
    expect(sumPrices([])).toBe('0.00');
  });

  it('takes the lesser of two amounts (a refund: the seats, at most what the booking took)', () => {
    expect(lesserOf('120.00', '0.00')).toBe('0.00');
    expect(lesserOf('50.00', '80.50')).toBe('50.00');
    expect(lesserOf('9.99', '10.00')).toBe('9.99');
  });
});
