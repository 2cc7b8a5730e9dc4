import { describe, expect, it } from 'vitest';
import { bookedTheLimit, limitsOf, mostAtOnce, mostAtOnceText, ownedText, pastLimitText, roomLeft } from './limits';

const EVEN = { hold: 10, purchase: 10 };
const GROUP = { hold: 4, purchase: 12 };

describe('the limits, shown before they are hit', () => {
  it('come from the event detail, once it is read', () => {
    expect(limitsOf(undefined)).toBeUndefined();
    expect(limitsOf({ hold_limit: 10, purchase_limit: 6 })).toEqual({ hold: 10, purchase: 6 });
  });

  it('say how many of how many, held and booked together', () => {
    expect(ownedText({ held: 0, booked: 0 }, EVEN)).toBe('0 of 10 seats held');
    expect(ownedText({ held: 2, booked: 0 }, EVEN)).toBe('2 of 10 seats held');
    expect(ownedText({ held: 2, booked: 3 }, EVEN)).toBe('5 of 10 seats: 2 held, 3 booked');
    expect(ownedText({ held: 0, booked: 4 }, EVEN)).toBe('4 of 10 seats booked');
    expect(ownedText({ held: 1, booked: 0 }, { hold: 1, purchase: 1 })).toBe('1 of 1 seat held: the most one buyer may have of this event');
    expect(ownedText({ held: 4, booked: 6 }, EVEN)).toBe('10 of 10 seats: 4 held, 6 booked: the most one buyer may have of this event');
    expect(ownedText({ held: 4, booked: 1 }, GROUP)).toBe('5 of 12 seats: 4 held, 1 booked: the most you can hold at once');
  });

  it('count the room left under both', () => {
    expect(roomLeft({ held: 2, booked: 3 }, EVEN)).toBe(5);
    expect(roomLeft({ held: 3, booked: 0 }, GROUP)).toBe(1);
    expect(roomLeft({ held: 0, booked: 11 }, GROUP)).toBe(1);
    expect(roomLeft({ held: 0, booked: 12 }, GROUP)).toBe(0);
    expect(mostAtOnce(0, GROUP)).toBe(4);
    expect(mostAtOnce(10, GROUP)).toBe(2);
    expect(mostAtOnce(12, GROUP)).toBe(0);
  });
});

describe('a click that would pass a limit', () => {
  it('is told in plain words, the purchase limit first', () => {
    expect(pastLimitText(1, { held: 2, booked: 3 }, EVEN)).toBeNull();
    expect(pastLimitText(1, { held: 0, booked: 10 }, EVEN)).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together, and you have booked 10.',
    );
    expect(pastLimitText(1, { held: 10, booked: 0 }, EVEN)).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together, and you hold 10.',
    );
    expect(pastLimitText(3, { held: 2, booked: 6 }, EVEN)).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together: you hold 2 and have booked 6, so you can take 2 more, not 3.',
    );
    expect(pastLimitText(12, { held: 0, booked: 0 }, EVEN)).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together: you can take 10, not 12.',
    );
  });

  it('says the hold limit when only it is in the way: booking makes room', () => {
    expect(pastLimitText(1, { held: 4, booked: 0 }, GROUP)).toBe(
      'You can hold at most 4 seats at once, and you hold 4. Reserve or release some first.',
    );
  });

  it('knows when the bookings alone are the limit: a waiting room\'s turn is then over', () => {
    expect(bookedTheLimit(9, EVEN)).toBe(false);
    expect(bookedTheLimit(10, EVEN)).toBe(true);
  });

  it('bounds what one search may ask for', () => {
    expect(mostAtOnceText(0, GROUP)).toBe('You can hold at most 4 seats at once.');
    expect(mostAtOnceText(10, GROUP)).toBe('You can take 2 more: one buyer may have 12 seats of this event, held and booked together, and you have booked 10.');
    expect(mostAtOnceText(12, GROUP)).toBe('You have booked 12: one buyer may have 12 seats of this event, held and booked together.');
  });
});
