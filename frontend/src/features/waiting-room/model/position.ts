/**
 * Where a buyer stands, worked out from the waiting room's public state and their own number
 * (PROTOCOL.md "Waiting room": the server sends everyone the same frame; each client works out
 * its own position). Estimates are ranges rounded outward, never a promise.
 */
import { countOf, formatCount } from '../../../lib/format';
import type { QueuePublicState } from '../api/queue';

export type PositionInput = Pick<QueuePublicState, 'serving' | 'rate' | 'show_share' | 'seats_per_order' | 'seats_left'>;

type LineInput = Pick<QueuePublicState, 'state' | 'seats_left'>;

/** Whole minutes, low to high. */
export interface MinutesRange {
  low: number;
  high: number;
}

export interface Position {
  number: number;
  /** Numbers still to be called before this one. */
  ahead: number;
  /** About how many of those ahead will come and shop (the rest let their turn lapse). */
  expected: number;
  /** Null while no number is being called (`rate` 0): no honest estimate exists. */
  estimate: MinutesRange | null;
  /** This number has been called. */
  called: boolean;
  /** Those ahead are likely to take every seat that is left. */
  likelyGone: boolean;
}

/** A share as the server measures it, kept to 0..1 (early in a sale it may be missing). */
function share(value: number): number {
  if (!Number.isFinite(value)) return 1;
  return Math.min(1, Math.max(0, value));
}

export function queuePosition(state: PositionInput, number: number): Position {
  const ahead = Math.max(0, number - state.serving - 1);
  const showShare = share(state.show_share);
  const expected = ahead * showShare;
  let estimate: MinutesRange | null = null;
  if (ahead === 0) {
    // Nobody ahead: the next number called is this one, however slow the last minute was.
    estimate = { low: 0, high: 0 };
  } else if (state.rate > 0) {
    // The fast end counts only those expected to come; the slow end everyone ahead: the truth
    // lies between, and rounding outward keeps it there.
    const low = Math.floor(expected / state.rate);
    const high = Math.ceil(ahead / state.rate);
    estimate = { low: Math.min(low, high), high };
  }
  const seatsPerOrder = Number.isFinite(state.seats_per_order) && state.seats_per_order > 0 ? state.seats_per_order : 1;
  return {
    number,
    ahead,
    expected,
    estimate,
    called: state.serving >= number,
    likelyGone: ahead > 0 && expected * seatsPerOrder >= state.seats_left,
  };
}

/** "about 6-9 min", "up to about 3 min", "about 2-3 h"; null estimate: the sale is not moving. */
export function estimateText(estimate: MinutesRange | null): string {
  if (!estimate) return 'waiting for the sale to move';
  const { low, high } = estimate;
  if (high === 0) return 'next in line';
  if (high <= 1) return 'about a minute';
  if (high >= 120) {
    const [lowHours, highHours] = [Math.floor(low / 60), Math.ceil(high / 60)];
    if (lowHours === 0) return `up to about ${highHours} h`;
    return lowHours === highHours ? `about ${highHours} h` : `about ${lowHours}-${highHours} h`;
  }
  if (low === 0) return `up to about ${high} min`;
  return low === high ? `about ${high} min` : `about ${low}-${high} min`;
}

/**
 * What the wait looks like in this state: the estimate only while numbers are being called (a
 * paused or held-out sale calls none, whatever the last minute's rate), nothing once sold out.
 */
function waitText(position: Position, state: LineInput['state']): string | null {
  switch (state) {
    case 'admitting':
      return estimateText(position.estimate);
    case 'paused':
      return 'paused';
    case 'held_out':
      return 'waiting for held seats to come back';
    case 'sold_out':
      return null;
    default:
      return 'waiting for the sale to start';
  }
}

/** "No. 12,345 · 4,321 ahead · about 6-9 min · 1,104 seats left". */
export function positionLine(position: Position, queue: LineInput, locale?: string): string {
  const seats = `${countOf(queue.seats_left, 'seat', 'seats', locale)} left`;
  const wait = waitText(position, queue.state);
  return [`No. ${formatCount(position.number, locale)}`, `${formatCount(position.ahead, locale)} ahead`, ...(wait ? [wait] : []), seats].join(' · ');
}
