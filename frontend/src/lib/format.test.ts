import { describe, expect, it } from 'vitest';
import { countOf, formatClockTime, formatCount, formatPrice } from './format';

describe('formatPrice', () => {
  it('shows the amount in the event currency, in the given language', () => {
    expect(formatPrice('50.00', 'EUR', 'en-IE')).toBe('€50.00');
    expect(formatPrice('1234.5', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatPrice('85.00', 'GBP', 'en-GB')).toBe('£85.00');
    expect(formatPrice('0.10', 'USD', 'en-US')).toBe('$0.10');
  });

  it('defaults to euros', () => {
    expect(formatPrice('50.00', undefined, 'en-IE')).toBe('€50.00');
  });

  it('keeps a currency Intl does not know, and text that is no amount', () => {
    expect(formatPrice('50.00', 'euro', 'en-IE')).toBe('50.00 euro');
    expect(formatPrice('n/a', 'EUR', 'en-IE')).toBe('n/a');
  });

  it('stays exact for amounts floats get wrong', () => {
    expect(formatPrice('0.30', 'EUR', 'en-IE')).toBe('€0.30');
    expect(formatPrice('19990.00', 'EUR', 'en-IE')).toBe('€19,990.00');
  });
});

describe('counts', () => {
  it('groups thousands', () => {
    expect(formatCount(19671, 'en-US')).toBe('19,671');
    expect(formatCount(19671, 'de-DE')).toBe('19.671');
    expect(formatCount(7, 'en-US')).toBe('7');
  });

  it('says one or many', () => {
    expect(countOf(1, 'seat', undefined, 'en-US')).toBe('1 seat');
    expect(countOf(5, 'seat', undefined, 'en-US')).toBe('5 seats');
    expect(countOf(1200, 'seat', undefined, 'en-US')).toBe('1,200 seats');
    expect(countOf(2, 'wheelchair space', undefined, 'en-US')).toBe('2 wheelchair spaces');
  });
});

describe('formatClockTime', () => {
  // 09:05:59 on this machine's clock, whatever its time zone.
  const at = new Date(2026, 10, 25, 9, 5, 59);

  it('shows hours and minutes, two digits each, in the given language', () => {
    expect(formatClockTime(at, 'en-GB')).toBe('09:05');
    expect(formatClockTime(at, 'de-DE')).toBe('09:05');
    expect(formatClockTime(at, 'en-US')).toMatch(/^09:05\sAM$/);
  });

  it('never shows seconds', () => {
    for (const locale of ['en-GB', 'en-US', 'fr-FR', 'ja-JP', undefined]) expect(formatClockTime(at.getTime(), locale)).not.toMatch(/59/);
  });
});
