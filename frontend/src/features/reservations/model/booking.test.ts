import { describe, expect, it } from 'vitest';
import { bookedNotice, calendarFileName, calendarPath, reservationPath, seatWhere } from './booking';

describe('seatWhere', () => {
  it("names a seat's section, row and seat", () => {
    expect(seatWhere({ section: 'Floor', row: 'A', label: 'A1' })).toBe('Floor · Row A · Seat A1');
  });

  it('leaves out what the room does not name', () => {
    expect(seatWhere({ section: '', row: 'B', label: 'B7' })).toBe('Row B · Seat B7');
    expect(seatWhere({ section: '', row: '', label: '12' })).toBe('Seat 12');
  });
});

describe("a booking's addresses", () => {
  it('has its page, its calendar file and the name that file is saved under', () => {
    expect(reservationPath(42)).toBe('/reservations/42');
    expect(calendarPath(42)).toBe('/api/reservations/42/calendar.ics');
    expect(calendarFileName(42)).toBe('reservation-42.ics');
  });
});

describe('bookedNotice', () => {
  it('reads the notice the booking page left, and nothing else', () => {
    expect(bookedNotice({ notice: 'Your turn is over.' })).toBe('Your turn is over.');
    for (const state of [null, undefined, 'text', {}, { notice: 3 }]) expect(bookedNotice(state)).toBeNull();
  });
});
