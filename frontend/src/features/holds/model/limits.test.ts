import { describe, expect, it } from 'vitest';
import { bookingReachesTheLimit, mostAtOnce, mostAtOnceText, ownedText, pastLimitText, type BuyerState } from './limits';

/** What `holds/run/` answers of the buyer's seats: the server's count, `may_take` and `most_at_once` included. */
const told = (held: number, booked: number, purchase_limit: number, hold_limit: number, may_take: number): BuyerState => ({
  held,
  booked,
  purchase_limit,
  hold_limit,
  may_take,
  most_at_once: Math.max(0, Math.min(hold_limit, purchase_limit - booked)),
});

describe('the limits, shown before they are hit, in the server\'s numbers', () => {
  it('say how many of how many, held and booked together', () => {
    expect(ownedText(told(0, 0, 10, 10, 10))).toBe('0 of 10 seats held');
    expect(ownedText(told(2, 0, 10, 10, 8))).toBe('2 of 10 seats held');
    expect(ownedText(told(2, 3, 10, 10, 5))).toBe('5 of 10 seats: 2 held, 3 booked');
    expect(ownedText(told(0, 4, 10, 10, 6))).toBe('4 of 10 seats booked');
    expect(ownedText(told(1, 0, 1, 1, 0))).toBe('1 of 1 seat held: the most one buyer may have of this event');
    expect(ownedText(told(4, 6, 10, 10, 0))).toBe('10 of 10 seats: 4 held, 6 booked: the most one buyer may have of this event');
    expect(ownedText(told(4, 1, 12, 4, 0))).toBe('5 of 12 seats: 4 held, 1 booked: the most you can hold at once');
  });

  it('bound what the buyer could hold at once: giving back makes room, booking does not', () => {
    expect(mostAtOnce(told(3, 0, 12, 4, 1))).toBe(4);
    expect(mostAtOnce(told(0, 10, 12, 4, 2))).toBe(2);
    expect(mostAtOnce(told(0, 12, 12, 4, 0))).toBe(0);
  });
});

describe('a click that would pass a limit', () => {
  it('is let through while the server says the buyer may take that many', () => {
    expect(pastLimitText(1, told(2, 3, 10, 10, 5))).toBeNull();
    expect(pastLimitText(5, told(2, 3, 10, 10, 5))).toBeNull();
  });

  it('is told in plain words past `may_take`, the purchase limit first', () => {
    expect(pastLimitText(1, told(0, 10, 10, 10, 0))).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together, and you have booked 10.',
    );
    expect(pastLimitText(1, told(10, 0, 10, 10, 0))).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together, and you hold 10.',
    );
    expect(pastLimitText(3, told(2, 6, 10, 10, 2))).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together: you hold 2 and have booked 6, so you can take 2 more, not 3.',
    );
    expect(pastLimitText(12, told(0, 0, 10, 10, 10))).toBe(
      'One buyer may have at most 10 seats of this event, held and booked together: you can take 10, not 12.',
    );
  });

  it('says the hold limit when only it is in the way: booking makes room', () => {
    expect(pastLimitText(1, told(4, 0, 12, 4, 0))).toBe('You can hold at most 4 seats at once, and you hold 4. Reserve or release some first.');
  });

  it('knows when booking what is held reaches the purchase limit: a waiting room\'s turn is then over', () => {
    expect(bookingReachesTheLimit(told(2, 7, 10, 10, 1))).toBe(false);
    expect(bookingReachesTheLimit(told(3, 7, 10, 10, 0))).toBe(true);
    expect(bookingReachesTheLimit(told(0, 10, 10, 10, 0))).toBe(true);
  });

  it('bounds what one search may ask for', () => {
    expect(mostAtOnceText(told(0, 0, 12, 4, 4))).toBe('You can hold at most 4 seats at once.');
    expect(mostAtOnceText(told(0, 10, 12, 4, 2))).toBe(
      'You can take 2 more: one buyer may have 12 seats of this event, held and booked together, and you have booked 10.',
    );
    expect(mostAtOnceText(told(0, 12, 12, 4, 0))).toBe('You have booked 12: one buyer may have 12 seats of this event, held and booked together.');
  });
});
