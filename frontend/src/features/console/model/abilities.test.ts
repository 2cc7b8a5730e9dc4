import { describe, expect, it } from 'vitest';
import { consoleAbilities } from './abilities';

describe("the console's abilities from me/'s console", () => {
  it('gives a buyer nothing', () => {
    expect(Object.values(consoleAbilities([])).some(Boolean)).toBe(false);
    expect(consoleAbilities(undefined).watch).toBe(false);
  });

  it('gives the box office selling and bookings, not keeping back, limits nor exports', () => {
    expect(consoleAbilities(['view_console', 'sell_at_box_office', 'change_bookings'])).toEqual({
      watch: true,
      keep: false,
      sell: true,
      changeBookings: true,
      limits: false,
      exports: false,
    });
  });

  it('gives a manager everything', () => {
    const all = ['view_console', 'keep_seats', 'sell_at_box_office', 'change_bookings', 'export_event', 'change_event'];
    expect(Object.values(consoleAbilities(all)).every(Boolean)).toBe(true);
  });

  it('gives nothing without the right to watch the sale, whatever else', () => {
    expect(Object.values(consoleAbilities(['keep_seats', 'sell_at_box_office'])).some(Boolean)).toBe(false);
  });
});
