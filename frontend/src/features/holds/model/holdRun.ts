/**
 * The buyer's run of holds of the event (API.md "Rules": one run, one cap) and their seats of
 * it, as the basket tells it: while they may not hold, when they may again; what they may still
 * take; and when to read it again.
 */
import type { components } from '../../../lib/api-types';
import type { BuyerState } from './limits';

export interface HoldRun {
  /** When the run going on reaches the cap (epoch ms); null when none is going on, or it has. */
  runEndsAt: number | null;
  /** Only while the buyer may not hold: when they may again (epoch ms). */
  holdAgainAt: number | null;
  /** When it was read, on the server's clock. */
  readAt: number;
  /** What the buyer holds, has booked and may still take, as the server counted it then. */
  buyer: BuyerState;
}

const moment = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export function decodeHoldRun(answer: components['schemas']['HoldRunOutput'], readAt: number): HoldRun {
  const { run_ends_at, hold_again_at, ...buyer } = answer;
  return { runEndsAt: moment(run_ends_at), holdAgainAt: moment(hold_again_at), readAt, buyer };
}

/** While the buyer may not hold seats of the event (`now` before the cooldown's end): when they may again; else null. */
export function cooldownEnd(run: HoldRun | undefined, now: number): number | null {
  return run?.holdAgainAt != null && run.holdAgainAt > now ? run.holdAgainAt : null;
}

/** Read a moment after the run reaches its cap, so the server's clock has passed it too. */
export const PAST_THE_CAP_MS = 1000;

export interface RunChange {
  at: number;
  /** Read the run again then (it reached its cap); else only the cooldown's words go. */
  read: boolean;
}

/**
 * What changes next without anything the page sees: the cooldown ends, or a run going on reaches
 * its cap while the buyer holds nothing (then they may not hold). A buyer still holding seats
 * loses them by then, which has the run read again anyway (their seats change). Null: nothing will.
 */
export function nextRunChange(run: HoldRun | undefined, now: number): RunChange | null {
  const again = cooldownEnd(run, now);
  if (again !== null) return { at: again, read: false };
  if (run?.runEndsAt == null || run.buyer.held > 0) return null;
  const at = run.runEndsAt + PAST_THE_CAP_MS;
  return at > now ? { at, read: true } : null;
}
