/**
 * The buyer's run of holds of the event (API.md "Rules": one run, one cap), as the basket tells
 * it: while they may not hold, when they may again; and when to read it again.
 */
import type { components } from '../../../lib/api-types';

export interface HoldRun {
  /** When the run going on reaches the cap (epoch ms); null when none is going on, or it has. */
  runEndsAt: number | null;
  /** Only while the buyer may not hold: when they may again (epoch ms). */
  holdAgainAt: number | null;
  /** When it was read, on the server's clock. */
  readAt: number;
}

const moment = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export function decodeHoldRun(answer: components['schemas']['HoldRunOutput'], readAt: number): HoldRun {
  return { runEndsAt: moment(answer.run_ends_at), holdAgainAt: moment(answer.hold_again_at), readAt };
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
 * loses them by then, which has the run read again anyway (`lastSeatWent`). Null: nothing will.
 */
export function nextRunChange(run: HoldRun | undefined, now: number, holding: boolean): RunChange | null {
  const again = cooldownEnd(run, now);
  if (again !== null) return { at: again, read: false };
  if (holding || run?.runEndsAt == null) return null;
  const at = run.runEndsAt + PAST_THE_CAP_MS;
  return at > now ? { at, read: true } : null;
}

/** The buyer's last held seat went (let go, lapsed or booked): their run may have reached its cap. */
export function lastSeatWent(wasHolding: boolean, holding: boolean): boolean {
  return wasHolding && !holding;
}
