/**
 * The waiting room's turn token on the calls that take seats (API.md "Waiting room"): while an
 * event's waiting room is on, lock, lock several and best available carry `Queue-Turn`, and
 * are refused 403 without a good one. The token itself lives with the waiting room's state, in
 * memory only; this is just how a call carries it and how its refusal reads.
 */
import { ApiError } from './api-client';

export const QUEUE_TURN_HEADER = 'Queue-Turn';

/** The refusals that mean "your turn is not (or no longer) good": back to the waiting room. */
export type TurnRefusal = 'queue_turn_required' | 'queue_turn_expired';

export const TURN_REFUSALS: ReadonlySet<string> = new Set<TurnRefusal>(['queue_turn_required', 'queue_turn_expired']);

/** The header for a call made during a turn; none outside one. */
export function queueTurnHeaders(token: string | null | undefined): Record<string, string> {
  return token ? { [QUEUE_TURN_HEADER]: token } : {};
}

/** Which of the two refusals `error` is, or null for any other error. */
export function turnRefusal(error: unknown): TurnRefusal | null {
  return error instanceof ApiError && TURN_REFUSALS.has(error.code) ? (error.code as TurnRefusal) : null;
}
