/**
 * What the waiting room says about its state, in words (API.md "Waiting room": `state` and
 * `reason`), and the clock times and countdowns it shows.
 */
import { formatClockTime } from '../../../lib/format';
import type { QueuePublicState } from '../api/queue';

export interface StateWords {
  title: string;
  detail: string;
}

type WordsInput = Pick<QueuePublicState, 'state' | 'reason' | 'opens_at' | 'on_sale_at' | 'holds_end_at'>;

/** "14:05" in the browser's language and time zone. */
export function clockTime(iso: string, locale?: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatClockTime(ms, locale);
}

/** "Tue, 1 Dec, 10:00": a day as well, for what may be days away. */
export function dayAndTime(iso: string, locale?: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** "4:59", "1:04:59", "2 days 3 h": the time to an instant, for the eyes (it ticks). */
export function timeUntil(remainingMs: number): string {
  const total = Math.max(0, Math.floor(remainingMs / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'} ${hours} h`;
  const mmss = `${String(minutes).padStart(hours > 0 ? 2 : 1, '0')}:${String(seconds).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

export function stateWords(queue: WordsInput, locale?: string): StateWords {
  switch (queue.state) {
    case 'scheduled':
      return {
        title: 'The waiting room opens soon',
        detail: `It opens at ${dayAndTime(queue.opens_at, locale)}; the sale starts at ${dayAndTime(queue.on_sale_at, locale)}.`,
      };
    case 'pre_queue':
      return {
        title: 'The sale has not started yet',
        detail: `It starts at ${dayAndTime(queue.on_sale_at, locale)}. Everyone in the waiting room by then has the same chance.`,
      };
    case 'draw':
      return {
        title: 'The sale has started: drawing the order',
        detail:
          queue.reason === 'randomness'
            ? 'The draw waits for the public random number it was promised; then everyone in the waiting room gets a number.'
            : 'Everyone in the waiting room gets a number in a moment.',
      };
    case 'admitting':
      return {
        title: 'The sale is on',
        detail:
          queue.reason === 'slow'
            ? 'Numbers are called more slowly for a moment, so that booking stays quick for those already choosing.'
            : 'Numbers are called in order as seats become free for more buyers.',
      };
    case 'paused':
      return {
        title: 'The sale is paused',
        detail:
          queue.reason === 'organiser'
            ? 'The organiser has paused the sale. Your place is kept.'
            : 'A problem on our side paused the calls. Your place is kept, and numbers are called again as soon as it is fixed.',
      };
    case 'held_out':
      return {
        title: 'Every seat is held right now',
        detail: queue.holds_end_at
          ? `Seats other buyers hold come back if they are not booked; the last of those holds ends at ${clockTime(queue.holds_end_at, locale)}. Keep your place for a chance at them.`
          : 'Seats other buyers hold come back if they are not booked. Keep your place for a chance at them.',
      };
    case 'sold_out':
      return { title: 'Sold out', detail: 'Every seat has been booked. Seats that come back (a cancellation) are offered again here.' };
  }
}
