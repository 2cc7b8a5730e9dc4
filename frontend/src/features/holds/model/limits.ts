/**
 * What one buyer may take of an event, said before the server has to refuse it (API.md
 * "Rules"), in the server's own numbers (`holds/run/`): the seats they hold and have booked of
 * it, its hold and purchase limits, how many more they may take now (`may_take`) and at most at once (`most_at_once`).
 */
import type { components } from '../../../lib/api-types';
import { countOf } from '../../../lib/format';

export type BuyerState = Pick<components['schemas']['HoldRunOutput'], 'held' | 'booked' | 'purchase_limit' | 'hold_limit' | 'may_take' | 'most_at_once'>;

/** Whether booking what the buyer holds brings their bookings to the purchase limit: the
 * waiting room's turn is then over (a booking takes every seat held). */
export function bookingReachesTheLimit(buyer: BuyerState): boolean {
  return buyer.held + buyer.booked >= buyer.purchase_limit;
}

export const TURN_DONE_AT_THE_LIMIT = 'You have booked the most seats one buyer may have of this event, so your turn is over.';

/** The most seats the buyer could hold at once (the server's `most_at_once`): giving back what they hold makes room, booking does not. */
export function mostAtOnce(buyer: BuyerState): number {
  return buyer.most_at_once;
}

/** Why no more than `mostAtOnce` seats can be asked for at once, in plain words. */
export function mostAtOnceText(buyer: BuyerState): string {
  const { booked, purchase_limit: purchase, hold_limit: hold } = buyer;
  const most = mostAtOnce(buyer);
  const limit = `one buyer may have ${countOf(purchase, 'seat')} of this event, held and booked together`;
  if (most === 0) return `You have booked ${booked}: ${limit}.`;
  if (most < hold) return `You can take ${most} more: ${limit}, and you have booked ${booked}.`;
  return `You can hold at most ${countOf(hold, 'seat')} at once.`;
}

/** "3 of 10 seats held", "5 of 10 seats: 2 held, 3 booked", and at the limit what that means. */
export function ownedText(buyer: BuyerState): string {
  const { held, booked, purchase_limit: purchase } = buyer;
  const have = held + booked;
  const of = `${have} of ${countOf(purchase, 'seat')}`;
  const text = booked === 0 ? `${of} held` : held === 0 ? `${of} booked` : `${of}: ${held} held, ${booked} booked`;
  if (have >= purchase) return `${text}: the most one buyer may have of this event`;
  if (held >= buyer.hold_limit) return `${text}: the most you can hold at once`;
  return text;
}

/**
 * Why taking `adding` more seats now would pass a limit (more than `may_take`), in plain words;
 * null when it would not. The purchase limit is told first: reserving what they hold would not
 * make room under it.
 */
export function pastLimitText(adding: number, buyer: BuyerState): string | null {
  if (adding <= buyer.may_take) return null;
  const { held, booked, purchase_limit: purchase } = buyer;
  const have = held + booked;
  if (have + adding > purchase) {
    const most = `One buyer may have at most ${countOf(purchase, 'seat')} of this event, held and booked together`;
    const yours = booked === 0 ? `you hold ${held}` : held === 0 ? `you have booked ${booked}` : `you hold ${held} and have booked ${booked}`;
    if (have >= purchase) return `${most}, and ${yours}.`;
    const take = `you can take ${purchase - have}${have > 0 ? ' more' : ''}, not ${adding}`;
    return `${most}: ${have > 0 ? `${yours}, so ` : ''}${take}.`;
  }
  return `You can hold at most ${countOf(buyer.hold_limit, 'seat')} at once, and you hold ${held}. Reserve or release some first.`;
}
