import { describe, expect, it } from 'vitest';
import { heldByOtherText, holdEndingText, lapsedText, mergeLapse } from './messages';

describe('holds that ran out', () => {
  it('names the one seat', () => {
    expect(lapsedText(['Sec 101 · Row A · Seat 5'], 1)).toBe('Your hold on Sec 101 · Row A · Seat 5 ran out. Pick the seat again if it is still free.');
  });

  it('names every seat of a few rows, with their number', () => {
    expect(lapsedText(['Sec 101 · Row A · Seats 5–8'], 4)).toBe(
      'Your holds on Sec 101 · Row A · Seats 5–8 (4 seats) ran out. Pick them again if they are still free.',
    );
    expect(lapsedText(['Sec 101 · Row A · Seats 5–8', 'Sec 101 · Row B · Seat 6'], 5)).toBe(
      'Your holds on Sec 101 · Row A · Seats 5–8 and Sec 101 · Row B · Seat 6 (5 seats) ran out. Pick them again if they are still free.',
    );
  });

  it('gives the count when there are too many places to read out', () => {
    expect(lapsedText(['Floor · Row A · Seat 1', 'Floor · Row B · Seat 1', 'Floor · Row C · Seat 1', 'Floor · Row D · Seat 1'], 5)).toBe(
      'Your holds on 5 seats ran out. Pick them again if they are still free.',
    );
  });

  it('tells seats lost moments apart as one lapse, and a later lapse on its own', () => {
    const first = mergeLapse(null, [1, 2, 3, 4], 10_000);
    const second = mergeLapse(first, [5], 10_250);
    expect(second).toEqual({ ids: [1, 2, 3, 4, 5], at: 10_250 });
    expect(mergeLapse(second, [9], 60_000)).toEqual({ ids: [9], at: 60_000 });
    expect(mergeLapse(second, [5], 10_500).ids).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('the warning before holds end', () => {
  it('speaks of one hold, or of several', () => {
    expect(holdEndingText(['A1'], 30, false)).toBe('Your hold on A1 ends in less than 30 seconds.');
    expect(holdEndingText(['A1', 'A2'], 30, false)).toBe('Your holds on A1 and A2 end in less than 30 seconds.');
    expect(holdEndingText(['A1', 'A2', 'A3', 'A4'], 30, true)).toBe(
      "Your holds on A1, A2, A3 and A4 end in less than 30 seconds and can't be extended any more. Reserve now to keep them.",
    );
    expect(holdEndingText(['A1'], 30, true)).toBe("Your hold on A1 ends in less than 30 seconds and can't be extended any more. Reserve now to keep it.");
  });

  it('counts the seats when there are too many to name', () => {
    expect(holdEndingText(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'], 30, false)).toBe('Your holds on 7 seats end in less than 30 seconds.');
  });
});

describe('a seat held by someone else', () => {
  // 20:15:42 on this machine's clock, whatever its time zone.
  const at = new Date(2026, 10, 25, 20, 15, 42).getTime();

  it('says by when it may come back, in hours and minutes of the browser language, never seconds', () => {
    expect(heldByOtherText('A5', at, 0, 'en-GB')).toBe('A5 is held by someone else, may come back by 20:15.');
    expect(heldByOtherText('A5', at, 0, 'en-US')).toMatch(/^A5 is held by someone else, may come back by 08:15\sPM\.$/);
  });

  it("tells the hold's end on this machine's clock when the server's runs ahead", () => {
    expect(heldByOtherText('A5', at, 60_000, 'en-GB')).toBe('A5 is held by someone else, may come back by 20:14.');
  });

  it('says only that it may come back when the end of the hold is not known', () => {
    expect(heldByOtherText('A5', null)).toBe('A5 is held by someone else. It may come back when the hold ends.');
  });
});
