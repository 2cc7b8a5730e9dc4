import { describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import { numberRuns } from '../../seat-map';
import {
  alternativeText,
  describeBlock,
  foundMessage,
  heldQuestion,
  INITIAL_FORM,
  noBlockMessage,
  openAlternatives,
  refusalOutcome,
  stillHolding,
  validateFindSeats,
  type BlockSeat,
} from './findSeats';

/** What `holds/run/` counted of the buyer's seats. */
const told = (held: number, booked: number, purchase_limit: number, hold_limit: number, may_take: number) => ({ held, booked, purchase_limit, hold_limit, may_take, most_at_once: Math.max(0, Math.min(hold_limit, purchase_limit - booked)) });
const NOTHING_YET = told(0, 0, 10, 10, 10);
const RULES = { buyer: NOTHING_YET, categoryIds: [3, 4], sections: ['Stalls', 'Circle'] };

const at = (id: number, section: string, row: string, number: number, accessible = false): BlockSeat => ({ id, section, row, number, accessible });

describe('validateFindSeats', () => {
  it('turns the default form into a request for 2 seats at any price', () => {
    expect(validateFindSeats(INITIAL_FORM, RULES)).toEqual({ ok: true, request: { count: 2 } });
  });

  it('sends the category and the wheelchair spaces only when chosen', () => {
    expect(validateFindSeats({ count: ' 3 ', category: '4', section: '', accessible: '1' }, RULES)).toEqual({
      ok: true,
      request: { count: 3, category: 4, accessible: 1 },
    });
    expect(validateFindSeats({ count: '3', category: '', section: '', accessible: '' }, RULES)).toEqual({ ok: true, request: { count: 3 } });
  });

  it('allows 1 up to the hold limit', () => {
    expect(validateFindSeats({ ...INITIAL_FORM, count: '1' }, RULES).ok).toBe(true);
    expect(validateFindSeats({ ...INITIAL_FORM, count: '10' }, RULES).ok).toBe(true);
    expect(validateFindSeats({ ...INITIAL_FORM, count: '11' }, RULES)).toEqual({
      ok: false,
      errors: { count: 'You can hold at most 10 seats at once.' },
    });
    expect(validateFindSeats({ ...INITIAL_FORM, count: '0' }, RULES)).toEqual({ ok: false, errors: { count: 'Ask for at least 1 seat.' } });
  });

  it('allows no more than the purchase limit leaves beside the seats booked', () => {
    const rules = { ...RULES, buyer: told(0, 6, 12, 10, 6) };
    expect(validateFindSeats({ ...INITIAL_FORM, count: '6' }, rules).ok).toBe(true);
    expect(validateFindSeats({ ...INITIAL_FORM, count: '7' }, rules)).toEqual({
      ok: false,
      errors: { count: 'You can take 6 more: one buyer may have 12 seats of this event, held and booked together, and you have booked 6.' },
    });
    expect(validateFindSeats({ ...INITIAL_FORM, count: '1' }, { ...rules, buyer: told(0, 12, 12, 10, 0) })).toEqual({
      ok: false,
      errors: { count: 'You have booked 12: one buyer may have 12 seats of this event, held and booked together.' },
    });
  });

  it('leaves the count to the server until its count of the buyer\'s seats is read', () => {
    expect(validateFindSeats({ ...INITIAL_FORM, count: '40' }, { ...RULES, buyer: undefined }).ok).toBe(true);
  });

  it('names each field that is wrong', () => {
    expect(validateFindSeats({ count: '', category: '9', section: '', accessible: 'x' }, RULES)).toEqual({
      ok: false,
      errors: {
        count: 'Enter how many seats you need.',
        category: 'Choose a price from the list.',
        accessible: 'Enter a whole number of wheelchair spaces, or 0.',
      },
    });
    expect(validateFindSeats({ count: '2.5', category: '', section: '', accessible: '0' }, RULES)).toEqual({
      ok: false,
      errors: { count: 'Enter a whole number of seats.' },
    });
  });

  it('sends a section only when chosen, and only one of the room', () => {
    expect(validateFindSeats({ ...INITIAL_FORM, section: 'Circle' }, RULES)).toEqual({ ok: true, request: { count: 2, section: 'Circle' } });
    expect(validateFindSeats({ ...INITIAL_FORM, section: 'Balcony' }, RULES)).toEqual({
      ok: false,
      errors: { section: 'Choose a section from the list.' },
    });
  });

  it('refuses more wheelchair spaces than seats', () => {
    expect(validateFindSeats({ count: '2', category: '', section: '', accessible: '3' }, RULES)).toEqual({
      ok: false,
      errors: { accessible: 'At most 2 of 2 seats can be wheelchair spaces.' },
    });
    expect(validateFindSeats({ count: '2', category: '', section: '', accessible: '2' }, RULES).ok).toBe(true);
  });
});

describe('describing a block', () => {
  it('joins runs of numbers with an en dash', () => {
    expect(numberRuns([10, 8, 9])).toBe('8–10');
    expect(numberRuns([4, 7, 6])).toBe('4, 6–7');
    expect(numberRuns([5])).toBe('5');
  });

  it('says section, row and seats', () => {
    expect(describeBlock([at(1, 'Stalls', 'F', 8), at(2, 'Stalls', 'F', 9), at(3, 'Stalls', 'F', 10)])).toBe('Stalls, row F, seats 8–10');
    expect(describeBlock([at(1, 'Stalls', 'F', 8)])).toBe('Stalls, row F, seat 8');
  });

  it('names each row, and each section once', () => {
    expect(describeBlock([at(1, 'Stalls', 'F', 8), at(2, 'Stalls', 'F', 9), at(3, 'Stalls', 'G', 8)])).toBe('Stalls, row F, seats 8–9; row G, seat 8');
    expect(describeBlock([at(1, 'Stalls', 'F', 8), at(2, 'Dress Circle', 'A', 1), at(3, 'Dress Circle', 'A', 2)])).toBe(
      'Stalls, row F, seat 8; Dress Circle, row A, seats 1–2',
    );
  });

  it('leaves out a single known section when asked', () => {
    expect(describeBlock([at(1, 'Stalls', 'G', 4), at(2, 'Stalls', 'G', 5)], { withSection: false })).toBe('row G, seats 4–5');
    expect(describeBlock([at(1, 'Stalls', 'G', 4), at(2, 'Circle', 'A', 5)], { withSection: false })).toBe('Stalls, row G, seat 4; Circle, row A, seat 5');
  });
});

describe('foundMessage', () => {
  const block = [at(1, 'Stalls', 'F', 8), at(2, 'Stalls', 'F', 9), at(3, 'Stalls', 'F', 10)];

  it('says the block was found together', () => {
    expect(foundMessage(block, true)).toBe('Found 3 seats together: Stalls, row F, seats 8–10. They are held for you.');
  });

  it('says when the seats are not all side by side', () => {
    const split = [at(1, 'Stalls', 'F', 8), at(2, 'Stalls', 'F', 9), at(3, 'Stalls', 'G', 8)];
    expect(foundMessage(split, false)).toBe('Found 3 seats, not all side by side: Stalls, row F, seats 8–9; row G, seat 8. They are held for you.');
  });

  it('names the wheelchair spaces', () => {
    const withSpace = [at(1, 'Stalls', 'F', 8, true), ...block.slice(1)];
    expect(foundMessage(withSpace, true)).toBe('Found 3 seats together: Stalls, row F, seats 8–10. Wheelchair space: seat 8. They are held for you.');
    const twoRows = [at(1, 'Stalls', 'F', 8, true), at(2, 'Stalls', 'G', 8, true), at(3, 'Stalls', 'G', 9)];
    expect(foundMessage(twoRows, false)).toContain('Wheelchair spaces: row F, seat 8; row G, seat 8.');
  });

  it('speaks of one seat in the singular', () => {
    expect(foundMessage([at(1, 'Box A', '1', 2)], true)).toBe('Found 1 seat: Box A, row 1, seat 2. It is held for you.');
  });
});

describe('alternativeText', () => {
  const current = [at(1, 'Stalls', 'F', 8), at(2, 'Stalls', 'F', 9)];

  it('leaves out the section the buyer is already in', () => {
    expect(alternativeText([at(5, 'Stalls', 'G', 4), at(6, 'Stalls', 'G', 5)], current)).toBe('Take these instead: row G, seats 4–5');
  });

  it('names another section', () => {
    expect(alternativeText([at(5, 'Dress Circle', 'A', 4)], current)).toBe('Take these instead: Dress Circle, row A, seat 4');
  });
});

describe('refusal messages', () => {
  const context = { buyer: NOTHING_YET };

  it('no_block says what was asked and what to try', () => {
    expect(noBlockMessage({ count: 4, category: 3 }, 'Premium')).toBe('No 4 seats together are left in Premium. Try fewer seats or another price.');
    expect(noBlockMessage({ count: 4 })).toBe('No 4 seats together are left. Try fewer seats.');
    expect(noBlockMessage({ count: 4, category: 3, section: 'Circle' }, 'Premium')).toBe(
      'No 4 seats together are left in Premium in Circle. Try fewer seats, another price or another section.',
    );
    expect(noBlockMessage({ count: 1, section: 'Circle' })).toBe('No seat is left in Circle. Try another section.');
    expect(noBlockMessage({ count: 3, accessible: 1, category: 3 }, 'Premium')).toBe(
      'No 3 seats together with 1 wheelchair space are left in Premium. Try fewer seats or another price.',
    );
    expect(noBlockMessage({ count: 1, accessible: 1 })).toBe('No wheelchair space is left.');
    expect(noBlockMessage({ count: 1, category: 3 }, 'Premium')).toBe('No seat is left in Premium. Try another price.');
    const outcome = refusalOutcome(new ApiError(409, 'no_block', 'Nothing fits'), { count: 4, category: 3 }, { ...context, categoryName: 'Premium' });
    expect(outcome).toEqual({ kind: 'error', text: 'No 4 seats together are left in Premium. Try fewer seats or another price.' });
  });

  it('hold_limit names the limit (the server\'s if it says) and reloads the seats', () => {
    const outcome = refusalOutcome(new ApiError(409, 'hold_limit', 'limit', { limit: 6 }), { count: 3 }, { buyer: told(4, 0, 10, 10, 6) });
    expect(outcome).toEqual({
      kind: 'error',
      text: '3 more seats would take you over the 6 seats you can hold at once. You hold 4 already. Reserve or release some first, or find fewer.',
      refetch: true,
    });
    expect(refusalOutcome(new ApiError(409, 'hold_limit', 'limit'), { count: 1 }, context).text).toBe(
      '1 more seat would take you over the 10 seats you can hold at once. Reserve or release some first, or find fewer.',
    );
  });

  it('purchase_limit gives the server\'s numbers and reloads the seats', () => {
    const error = new ApiError(409, 'purchase_limit', 'limit', { limit: 4, held: 1, booked: 2 });
    expect(refusalOutcome(error, { count: 2 }, context)).toEqual({
      kind: 'error',
      text: 'One buyer may have at most 4 seats of this event, held and booked together: you hold 1 and have booked 2. Find fewer, or none.',
      refetch: true,
    });
  });

  it('invalid passes on the server\'s reason', () => {
    expect(refusalOutcome(new ApiError(400, 'invalid', 'accessible: cannot be more than count.'), { count: 2, accessible: 3 }, context).text).toBe(
      'The search was refused: accessible: cannot be more than count.',
    );
    expect(refusalOutcome(new ApiError(400, 'invalid', 'Bad Request'), { count: 2 }, context).text).toMatch(/not valid/);
  });

  it('throttled, network and session errors', () => {
    expect(refusalOutcome(new ApiError(429, 'throttled', 'slow down', {}, 12), { count: 2 }, context).text).toBe(
      'Too many requests. Please wait 12 s and try again.',
    );
    expect(refusalOutcome(new ApiError(0, NETWORK_ERROR, 'x'), { count: 2 }, context).text).toBe(
      "Can't reach the server. Check your connection and try again.",
    );
    expect(refusalOutcome(new ApiError(401, 'not_authenticated', 'x'), { count: 2 }, context)).toEqual({
      kind: 'login',
      text: 'Your session has ended. Log in to find seats.',
    });
    expect(refusalOutcome(new Error('boom'), { count: 2 }, context).kind).toBe('error');
  });
});

describe('which alternatives to offer', () => {
  const seats = new Map([
    [1, { ...at(1, 'S', 'A', 1), status: 'locked', mine: true }],
    [2, { ...at(2, 'S', 'A', 2), status: 'available', mine: false }],
    [3, { ...at(3, 'S', 'A', 3), status: 'locked', mine: false }],
    [4, { ...at(4, 'S', 'A', 4), status: 'available', mine: false, blocked: true }],
  ]);
  const lookup = (id: number) => seats.get(id);

  it('keeps those whose seats are free or already mine', () => {
    expect(openAlternatives([[1, 2], [2, 3], [4], [2, 99], []], lookup)).toEqual([[1, 2]]);
  });

  it('knows whether any seat of the block is still held', () => {
    expect(stillHolding([1, 2], lookup)).toBe(true);
    expect(stillHolding([2, 3], lookup)).toBe(false);
  });
});

describe('heldQuestion', () => {
  const seat = (number: number) => ({ id: number, section: 'Stalls', row: 'F', number, accessible: false });

  it('names the seats already held and offers both ways on when they fit', () => {
    const q = heldQuestion([seat(8), seat(9)], 4, told(2, 0, 10, 10, 8));
    expect(q.text).toBe('You already hold 2 seats (Stalls, row F, seats 8–9).');
    expect(q).toMatchObject({ canAdd: true, addLabel: 'Keep them and add 4 seats', replaceLabel: 'Give them back and find 4 seats' });
  });

  it('speaks of one seat as one seat', () => {
    const q = heldQuestion([seat(8)], 1, told(1, 0, 10, 10, 9));
    expect(q.text).toBe('You already hold 1 seat (Stalls, row F, seat 8).');
    expect(q.addLabel).toBe('Keep it and add 1 seat');
  });

  it('offers only to replace when adding would pass the hold limit, and says why', () => {
    const q = heldQuestion([seat(8), seat(9)], 9, told(2, 0, 20, 10, 8));
    expect(q.canAdd).toBe(false);
    expect(q.text).toContain('You can hold at most 10 seats at once, and you hold 2. Reserve or release some first.');
  });

  it('counts the seats booked against the purchase limit, as the server counted them', () => {
    const q = heldQuestion([seat(8), seat(9)], 2, told(2, 3, 6, 10, 1));
    expect(q.canAdd).toBe(false);
    expect(q.text).toContain(
      'One buyer may have at most 6 seats of this event, held and booked together: you hold 2 and have booked 3, so you can take 1 more, not 2.',
    );
    expect(heldQuestion([seat(8)], 2, told(1, 3, 6, 10, 2)).canAdd).toBe(true);
  });
});
