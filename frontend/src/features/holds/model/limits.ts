/**
 * What one buyer may take of an event, said before the server has to refuse it (API.md
 * "Rules"): at most `hold` seats held at once (`hold_limit`), and at most `purchase` seats held
 * and booked together (`purchase_limit`), both from the event detail.
 */
import { countOf } from '../../../lib/format';

export interface BuyerLimits {
  hold: number;
  purchase: number;
}

/** What the buyer has of the event, as this page knows it. */
export interface Owned {
  held: number;
  booked: number;
}

/** Whether `booked` seats are all one buyer may have: the waiting room's turn is then over. */
export function bookedTheLimit(booked: number, limits: BuyerLimits): boolean {
  return booked >= limits.purchase;
}

export const TURN_DONE_AT_THE_LIMIT = 'You have booked the most seats one buyer may have of this event, so your turn is over.';

/** The event detail's limits, once it is read. */
export function limitsOf(event: { hold_limit: number; purchase_limit: number } | undefined): BuyerLimits | undefined {
  return event ? { hold: event.hold_limit, purchase: event.purchase_limit } : undefined;
}

/** How many more seats the buyer may hold now, under both limits. */
export function roomLeft(owned: Owned, limits: BuyerLimits): number {
  return Math.max(0, Math.min(limits.hold - owned.held, limits.purchase - owned.held - owned.booked));
}

/** The most seats the buyer could hold at once, having booked `booked`: giving back what they
 * hold makes room, booking does not. */
export function mostAtOnce(booked: number, limits: BuyerLimits): number {
  return Math.max(0, Math.min(limits.hold, limits.purchase - booked));
}

/** Why no more than `mostAtOnce` seats can be asked for at once, in plain words. */
export function mostAtOnceText(booked: number, limits: BuyerLimits): string {
  const most = mostAtOnce(booked, limits);
  const purchase = `one buyer may have ${countOf(limits.purchase, 'seat')} of this event, held and booked together`;
  if (most === 0) return `You have booked ${booked}: ${purchase}.`;
  if (most < limits.hold) return `You can take ${most} more: ${purchase}, and you have booked ${booked}.`;
  return `You can hold at most ${countOf(limits.hold, 'seat')} at once.`;
}

/** "3 of 10 seats held", "5 of 10 seats: 2 held, 3 booked", and at the limit what that means. */
export function ownedText(owned: Owned, limits: BuyerLimits): string {
  const { held, booked } = owned;
  const have = held + booked;
  const of = `${have} of ${countOf(limits.purchase, 'seat')}`;
  const text = booked === 0 ? `${of} held` : held === 0 ? `${of} booked` : `${of}: ${held} held, ${booked} booked`;
  if (have >= limits.purchase) return `${text}: the most one buyer may have of this event`;
  if (held >= limits.hold) return `${text}: the most you can hold at once`;
  return text;
}

/**
 * Why taking `adding` more seats now would pass a limit, in plain words; null when it would not.
 * The purchase limit is told first: reserving what they hold would not make room under it.
 */
export function pastLimitText(adding: number, owned: Owned, limits: BuyerLimits): string | null {
  const { held, booked } = owned;
  const have = held + booked;
  if (have + adding > limits.purchase) {
    const most = `One buyer may have at most ${countOf(limits.purchase, 'seat')} of this event, held and booked together`;
    const yours = booked === 0 ? `you hold ${held}` : held === 0 ? `you have booked ${booked}` : `you hold ${held} and have booked ${booked}`;
    if (have >= limits.purchase) return `${most}, and ${yours}.`;
    const take = `you can take ${limits.purchase - have}${have > 0 ? ' more' : ''}, not ${adding}`;
    return `${most}: ${have > 0 ? `${yours}, so ` : ''}${take}.`;
  }
  if (held + adding > limits.hold) {
    return `You can hold at most ${countOf(limits.hold, 'seat')} at once, and you hold ${held}. Reserve or release some first.`;
  }
  return null;
}
