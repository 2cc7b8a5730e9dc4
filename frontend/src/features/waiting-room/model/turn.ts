import type { QueueTurn } from '../api/queue';

/** When the turn bar starts to say (once) that the turn is nearly over. */
export const TURN_ENDING_MS = 60_000;

export type TurnPhase = 'running' | 'ending' | 'over';

/** How much of the turn is left at `now` (the server's clock), and which part of it that is. */
export function turnPhase(turn: Pick<QueueTurn, 'expires_at'>, now: number): { remainingMs: number; phase: TurnPhase } {
  const end = Date.parse(turn.expires_at);
  const remainingMs = Number.isNaN(end) ? 0 : Math.max(0, end - now);
  const phase = remainingMs === 0 ? 'over' : remainingMs <= TURN_ENDING_MS ? 'ending' : 'running';
  return { remainingMs, phase };
}
