/** What the basket and the page say about holds, right for one seat and for many. */
import { countOf, formatClockTime } from '../../../lib/format';

/** "Seats 5–8 and 10", "A, B and C". */
function inWords(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join('; ')} and ${parts.at(-1)}`;
}

/** Places are named while there are this many or fewer (one per row); beyond, only the count. */
const NAMED_PLACES = 3;

/**
 * The message for holds that ran out: every seat named (its places, one per row, from
 * `seatPlaces`), or the count when there are too many places to read out.
 */
export function lapsedText(places: readonly string[], count: number): string {
  if (count <= 1) return `Your hold on ${places[0] ?? 'a seat'} ran out. Pick the seat again if it is still free.`;
  const what = places.length > 0 && places.length <= NAMED_PLACES ? `${inWords(places)} (${countOf(count, 'seat')})` : countOf(count, 'seat');
  return `Your holds on ${what} ran out. Pick them again if they are still free.`;
}

/** Holds found lapsed together: the seats and when the last of them was told. */
export interface Lapse {
  ids: readonly number[];
  at: number;
}

/** Seats told apart by less than this (the store checks every 250 ms) are one lapse, told once. */
export const LAPSE_WINDOW_MS = 3_000;

/** The lapse to tell now: the seats just lost, with those of the lapse before if it was moments ago. */
export function mergeLapse(previous: Lapse | null, ids: readonly number[], now: number, windowMs = LAPSE_WINDOW_MS): Lapse {
  const earlier = previous && now - previous.at <= windowMs ? previous.ids : [];
  return { ids: [...new Set([...earlier, ...ids])], at: now };
}

/** Seat labels are named in the hold warning up to this many; beyond, their number. */
const NAMED_LABELS = 6;

/** "A1", "A1 and A2", "A1, A2 and A3". */
function labelList(labels: readonly string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/**
 * The warning before holds end (WCAG 2.2.1), for one seat or several: "Your hold on A1 ends
 * in less than 30 seconds.", "Your holds on A1 and A2 end in less than 30 seconds and can't be
 * extended any more. Reserve now to keep them."
 */
export function holdEndingText(labels: readonly string[], seconds: number, capped: boolean): string {
  const one = labels.length <= 1;
  const what = labels.length > NAMED_LABELS ? countOf(labels.length, 'seat') : labelList(labels);
  const start = `Your ${one ? 'hold' : 'holds'} on ${what} ${one ? 'ends' : 'end'} in less than ${seconds} seconds`;
  return capped ? `${start} and can't be extended any more. Reserve now to keep ${one ? 'it' : 'them'}.` : `${start}.`;
}

/**
 * A click on a seat someone else holds: "A5 is held by someone else, may come back by 20:15."
 * (the hold's end on the server's clock, `offsetMs` ahead of this one, told on this machine's, in
 * hours and minutes).
 */
export function heldByOtherText(label: string, lockedUntil: number | null, offsetMs = 0, locale?: string): string {
  if (lockedUntil === null) return `${label} is held by someone else. It may come back when the hold ends.`;
  return `${label} is held by someone else, may come back by ${formatClockTime(lockedUntil - offsetMs, locale)}.`;
}
