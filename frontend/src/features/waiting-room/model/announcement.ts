/**
 * What a screen reader is told of the waiting room, politely and only when it means something:
 * a new state, a number drawn or called, or the count of those ahead crossing a coarse band.
 * Frames come every few seconds; reading out "4,321 ahead", "4,310 ahead", ... would drown the
 * page, so the spoken text is made from the band, not the count, and stays the same sentence
 * (and so is not read again) while the band holds.
 */
import { formatCount } from '../../../lib/format';
import type { QueueStateName } from '../api/queue';

/** Upper bounds of the bands of "people ahead": fewer than 10, fewer than 50, ... */
export const AHEAD_BANDS = [10, 50, 100, 500, 1000, 5000, 10_000, 50_000, 100_000] as const;

export interface AnnouncementInput {
  state: QueueStateName;
  reason: string;
  /** The buyer's number, null before the draw (or without a place). */
  number: number | null;
  ahead: number;
  called: boolean;
  likelyGone: boolean;
  /** Whether the buyer has a place at all (logged out: no). */
  joined: boolean;
}

export interface Announcement {
  /** What the sentence is made of; a new sentence is made only when this changes. */
  key: string;
  /** Once told that those ahead may take every seat, it stays told within the band. */
  warned: boolean;
  text: string;
}

/** 0 for nobody ahead, then 1 + the index of the first bound above `ahead`. */
export function aheadBand(ahead: number): number {
  if (ahead <= 0) return 0;
  const index = AHEAD_BANDS.findIndex((bound) => ahead < bound);
  return index === -1 ? AHEAD_BANDS.length + 1 : index + 1;
}

function bandText(band: number, locale?: string): string {
  if (band === 0) return 'You are next.';
  if (band > AHEAD_BANDS.length) return `More than ${formatCount(AHEAD_BANDS[AHEAD_BANDS.length - 1], locale)} people are ahead of you.`;
  return `Fewer than ${formatCount(AHEAD_BANDS[band - 1], locale)} people are ahead of you.`;
}

function keyOf(input: AnnouncementInput): string {
  const stateKey = input.state === 'paused' || input.state === 'draw' ? `${input.state}:${input.reason}` : input.state;
  if (!input.joined) return `${stateKey}|out`;
  if (input.number === null) return `${stateKey}|undrawn`;
  if (input.called) return `${stateKey}|called`;
  return `${stateKey}|${input.number}|${aheadBand(input.ahead)}`;
}

function sentence(input: AnnouncementInput, warned: boolean, locale?: string): string {
  switch (input.state) {
    case 'sold_out':
      return 'Sold out: every seat has been booked.';
    case 'held_out':
      return 'Every seat is held right now. Seats that are not booked come back; keep your place.';
    case 'paused':
      return input.reason === 'organiser' ? 'The organiser has paused the sale. Your place is kept.' : 'The sale is paused for a moment. Your place is kept.';
    case 'scheduled':
      return 'The waiting room is not open yet.';
    case 'pre_queue':
      return input.joined
        ? 'You are in the waiting room. Your number is drawn when the sale starts.'
        : 'The waiting room is open. Log in to take a place.';
    case 'draw':
      return 'The sale has started. The order is being drawn.';
    case 'admitting': {
      if (!input.joined) return 'The sale is on. Log in to take a place.';
      if (input.number === null) return 'The sale is on. Your number comes in a moment.';
      if (input.called) return 'Your number is called: it is your turn.';
      const warning = warned ? ' Those ahead of you are likely to take the seats that are left.' : '';
      return `You are number ${formatCount(input.number, locale)}. ${bandText(aheadBand(input.ahead), locale)}${warning}`;
    }
  }
}

/**
 * The announcement after a new frame: `previous` itself (the same object, so nothing is read
 * out again) unless what it says has changed.
 */
export function nextAnnouncement(previous: Announcement | null, input: AnnouncementInput, locale?: string): Announcement {
  const key = keyOf(input);
  const warned = input.likelyGone || (previous !== null && previous.key === key && previous.warned);
  if (previous && previous.key === key && previous.warned === warned) return previous;
  return { key, warned, text: sentence(input, warned, locale) };
}
