import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { CLOSE_POLICIES } from './close-codes';
import { closeMessage, errorMessage } from './error-messages';

const err = (code: string, message = 'server text', details: Record<string, unknown> = {}, retry: number | null = null) =>
  new ApiError(400, code, message, details, retry);

describe('error message per code', () => {
  const labels = new Map([
    [5, 'A1'],
    [7, 'A3'],
  ]);
  const ctx = { seat: 'A1', seatLabel: (id: number) => labels.get(id) };

  it.each([
    ['not_authenticated', 'Please log in to continue.'],
    ['invalid_credentials', 'Wrong username or password.'],
    ['csrf_failed', 'Your session has expired. Please reload the page and try again.'],
    ['method_not_allowed', 'That action is not possible here.'],
    ['hold_limit', "You've reached the limit of seats you can hold for this event. Reserve or release some first."],
    ['already_cancelled', 'This reservation was already cancelled.'],
    ['idempotency_mismatch', 'This booking clashed with an earlier attempt. Please press Reserve again.'],
    ['too_large', 'That request is too large. Try with fewer seats.'],
    ['server_error', 'Something went wrong on our side. Please try again.'],
    ['unavailable', 'The booking service is unavailable right now. Please try again shortly.'],
    ['network', "Can't reach the server. Check your connection and try again."],
    ['queue_turn_required', 'Holding seats needs your turn from the waiting room, and this page has no good pass for it now.'],
    ['queue_turn_expired', 'Your turn has ended, so no more seats can be held. You can still book the seats you hold.'],
    ['no_queue', 'This event has no waiting room.'],
    ['not_in_queue', 'You have no place in the waiting room yet.'],
    ['queue_not_open', 'The waiting room is not open yet.'],
    ['sold_out', 'Sold out: every seat has been booked.'],
    ['not_your_turn', 'Your number has not been called yet.'],
    ['turn_lapsed', 'Your turn lapsed: it was not taken up in time, so the next numbers were called.'],
    ['turn_extended', 'Your turn has already been made longer once.'],
  ])('%s', (code, expected) => {
    expect(errorMessage(err(code))).toBe(expected);
  });

  it('gives purchase_limit its numbers: the limit, and what the buyer holds and has booked', () => {
    expect(errorMessage(err('purchase_limit', 'x', { limit: 4, held: 1, booked: 3 }))).toBe(
      'One buyer may have at most 4 seats of this event, held and booked together: you hold 1 and have booked 3.',
    );
    expect(errorMessage(err('purchase_limit', 'x', { limit: 4, held: 0, booked: 4 }))).toBe(
      'One buyer may have at most 4 seats of this event, held and booked together: you have booked 4.',
    );
    expect(errorMessage(err('purchase_limit'))).toBe(
      'You have as many seats of this event as one buyer may have, held and booked together.',
    );
  });

  it('explains price_changed: the new prices are shown, press Reserve again', () => {
    expect(errorMessage(err('price_changed'))).toMatch(/^The price of seats you hold changed while you held them\. .*press Reserve again\.$/);
  });

  it('explains hold_cap_reached (issue 13: a hold cannot be extended past SEAT_HOLD_MAX_SECONDS)', () => {
    expect(errorMessage(err('hold_cap_reached'))).toBe(
      "These seats can't be held any longer. Reserve now if you still hold them; otherwise they are open to others, and to you again a few minutes after your hold ended.",
    );
    expect(errorMessage(err('hold_cap_reached'), ctx)).toMatch(/^Seat A1 can't be held any longer\./);
    expect(errorMessage(err('hold_cap_reached'), { seat: 'A1, A2' })).toMatch(/^Seats A1, A2 can't/);
  });

  it('tells a buyer in the cooldown when they may hold again, not that a seat is at fault (issue 40)', () => {
    const again = '2026-12-22T10:35:00Z';
    const at = new Date(again).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const said = errorMessage(err('hold_cap_reached', 'text', { hold_again_at: again }), ctx);
    expect(said).toBe(
      `You have had seats of this event on hold for as long as one visit may. You can hold seats again from ${at}; until then they stay free for others.`,
    );
    expect(said).not.toMatch(/any longer/);
  });

  it('tells a buyer why a seat let go on their network is not theirs yet, and when it may be (issue 40)', () => {
    const again = '2026-12-22T10:35:00Z';
    const at = new Date(again).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const said = errorMessage(err('seat_pass_refused', 'text', { seats: [5], hold_again_at: again }), ctx);
    expect(said).toContain('another account on your network');
    expect(said).toContain(`from ${at}`);
    expect(errorMessage(err('address_hold_limit', 'text', { limit: 40 }), ctx)).toMatch(/^At most 40 seats of this event/);
  });

  it('names the seat someone else got first', () => {
    expect(errorMessage(err('seat_unavailable'), ctx)).toBe(
      'Someone else got there first: A1 is held or booked by another customer.',
    );
    expect(errorMessage(err('seat_unavailable', 'x', { seats: [5, 7] }), ctx)).toBe(
      'Someone else got there first: A1, A3 is held or booked by another customer.',
    );
    expect(errorMessage(err('seat_unavailable'))).toMatch(/^Someone else got there first: that seat/);
  });

  it('names the seats whose hold expired before the booking', () => {
    expect(errorMessage(err('lock_required', 'x', { seats: [7, 99] }), ctx)).toBe(
      'Your hold on A3, #99 expired before the booking went through. Pick the seats again.',
    );
    expect(errorMessage(err('lock_required'))).toBe(
      'Your hold expired before the booking went through. Pick the seats again.',
    );
  });

  it('says a released seat was no longer held', () => {
    expect(errorMessage(err('not_holder'), ctx)).toBe('Seat A1 is no longer held by you: the hold had already ended.');
  });

  it('says what is not found', () => {
    expect(errorMessage(err('not_found'), ctx)).toBe('Seat A1 is not part of this event.');
    expect(errorMessage(err('not_found'))).toBe('Not found: it may have been removed.');
  });

  it('passes validation details through (registration rules)', () => {
    expect(errorMessage(err('invalid', 'This password is too short.'))).toBe('This password is too short.');
  });

  it('says when to come back after throttling', () => {
    expect(errorMessage(err('throttled', 'x', {}, 12))).toBe('Too many requests. Please wait 12 s and try again.');
    expect(errorMessage(err('throttled'))).toBe('Too many requests. Please wait a moment and try again.');
  });

  it('never shows a bug to a person', () => {
    expect(errorMessage(new Error('TypeError: x is undefined'))).toBe('Something went wrong. Please try again.');
    expect(errorMessage(err('brand_new_code', 'A sentence from the server.'))).toBe('A sentence from the server.');
  });
});

describe('close message per close code', () => {
  it.each([
    [4404, 'Event not found: it may have been removed.'],
    [4408, 'The connection was too slow to keep up.'],
    [4429, 'Too many connections or messages from this network. Trying again shortly.'],
    [4503, 'Live updates stopped on our side.'],
    [1009, 'A message was too large for the server.'],
    [1011, 'The connection stopped answering.'],
  ])('%i', (code, expected) => {
    expect(closeMessage(code)).toBe(expected);
  });

  it('has a sentence for every code the server sends', () => {
    for (const code of Object.keys(CLOSE_POLICIES)) expect(closeMessage(Number(code))).toEqual(expect.any(String));
  });

  it('adds nothing to an ordinary drop', () => {
    expect(closeMessage(1006)).toBeNull();
    expect(closeMessage(1000)).toBeNull();
    expect(closeMessage(null)).toBeNull();
  });
});
