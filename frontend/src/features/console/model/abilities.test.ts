import { describe, expect, it } from 'vitest';
import { consoleAbilities, consolePermissions } from './abilities';

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

describe("an event's own staff (me/'s console_events)", () => {
  const me = { console: [], console_events: { '7': ['view_console', 'sell_at_box_office'] } };

  it('may sell on their event and nowhere else', () => {
    expect(consoleAbilities(consolePermissions(me, 7)).sell).toBe(true);
    expect(consoleAbilities(consolePermissions(me, 8)).watch).toBe(false);
  });

  it('open a console page of no event (a receipt) as staff of any', () => {
    expect(consoleAbilities(consolePermissions(me)).watch).toBe(true);
    expect(consoleAbilities(consolePermissions({ console: [] })).watch).toBe(false);
  });
});
