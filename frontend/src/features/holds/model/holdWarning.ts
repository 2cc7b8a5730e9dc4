/**
 * WCAG 2.2.1 (timing adjustable): before a hold ends, warn and offer one simple action that
 * extends it, with at least 20 seconds to use it. We warn 30 s ahead: 20 s for the person
 * plus room for a slow network (the extension must reach the server before the lock ends).
 */
import type { Seat } from '../../seat-map';

export const WARN_BEFORE_MS = 30_000;

export interface HoldWarning {
  /** The held seats whose hold ends within the warning window, soonest first. */
  endingIds: number[];
  /** When the first of them ends (epoch ms). */
  endsAt: number;
  remainingMs: number;
  /** Held seats "Keep my seats" asks to extend: every held seat the server has not refused. */
  extendableIds: number[];
  /** Every ending seat is at the cap: there is nothing left to offer but reserving. */
  capped: boolean;
}

/** The warning to show at `now`, or null while every hold has longer than `warnMs` left. */
export function holdWarning(
  held: readonly Pick<Seat, 'id' | 'lockedUntil'>[],
  now: number,
  cappedIds: ReadonlySet<number> = new Set(),
  warnMs = WARN_BEFORE_MS,
): HoldWarning | null {
  const ending = held
    .filter((s) => s.lockedUntil !== null && s.lockedUntil > now && s.lockedUntil - now <= warnMs)
    .sort((a, b) => a.lockedUntil! - b.lockedUntil! || a.id - b.id);
  if (ending.length === 0) return null;
  const endsAt = ending[0].lockedUntil!;
  const extendableIds = held.filter((s) => !cappedIds.has(s.id)).map((s) => s.id);
  return {
    endingIds: ending.map((s) => s.id),
    endsAt,
    remainingMs: endsAt - now,
    extendableIds,
    capped: ending.every((s) => cappedIds.has(s.id)),
  };
}
