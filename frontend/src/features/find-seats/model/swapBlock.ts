/**
 * "Take these instead": give back the block a search found and hold one of its alternatives.
 *
 * Order: release the seats of the current block that are not in the alternative (the overlap
 * stays held), then hold the alternative in one all-or-none call. The release comes first so a
 * buyer near the hold limit can still swap. If the alternative is gone (someone took it), the
 * released seats are held again: the buyer keeps the block they had, or, if that went too, is
 * told plainly what they hold now.
 */
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/error-messages';
import { turnRefusal } from '../../../lib/queue-turn';
import { describeBlock, type BlockSeat } from './findSeats';
import type { Outcome } from '../../holds';
import type { ApiSeat, SeatStore } from '../../seat-map';

export interface SwapApi {
  unlock(eventId: number, seatId: number): Promise<{ seat: ApiSeat }>;
  lockMany(eventId: number, seatIds: number[]): Promise<{ seats: ApiSeat[] }>;
}

export interface SwapContext {
  eventId: number;
  store: SeatStore;
  api: SwapApi;
}

export interface SwapResult {
  outcome: Outcome;
  /** The block from this search that the buyer holds now (empty when none). */
  held: number[];
  /** Whether the alternative is now held. */
  swapped: boolean;
}

const heldByMe = (store: SeatStore, id: number) => {
  const seat = store.getSeat(id);
  return seat !== undefined && seat.status === 'locked' && seat.mine;
};

function seatsOf(store: SeatStore, ids: readonly number[]): BlockSeat[] {
  return ids.map((id) => store.getSeat(id)).filter((s): s is NonNullable<typeof s> => s !== undefined);
}

/** Holds seats in one call, keeping the store's own-action bookkeeping. */
async function holdAll(ctx: SwapContext, ids: number[]): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const { store, api, eventId } = ctx;
  for (const id of ids) store.beginAction(id, 'lock');
  try {
    const answer = await api.lockMany(eventId, ids);
    for (const seat of answer.seats) store.applyOwnAnswer({ ...seat, mine: seat.mine ?? true });
    for (const id of ids) store.endAction(id, true);
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'seat_unavailable') for (const id of error.seatIds) store.markNotMine(id);
    for (const id of ids) store.endAction(id, false);
    return { ok: false, error };
  }
}

/** Releases each seat; resolves with those released and the first error other than "not yours any more". */
export async function releaseEach(ctx: SwapContext, ids: number[]): Promise<{ released: number[]; error: unknown }> {
  const { store, api, eventId } = ctx;
  for (const id of ids) store.beginAction(id, 'unlock');
  const results = await Promise.allSettled(ids.map((id) => api.unlock(eventId, id)));
  const released: number[] = [];
  let failure: unknown = null;
  results.forEach((result, i) => {
    const id = ids[i];
    if (result.status === 'fulfilled') {
      store.applyOwnAnswer({ ...result.value.seat, mine: result.value.seat.mine ?? false });
      store.endAction(id, true);
      released.push(id);
      return;
    }
    if (result.reason instanceof ApiError && result.reason.code === 'not_holder') store.markNotMine(id);
    else failure ??= result.reason;
    store.endAction(id, false);
  });
  return { released, error: failure };
}

export async function takeAlternative(ctx: SwapContext, current: readonly number[], next: readonly number[]): Promise<SwapResult> {
  const { store } = ctx;
  const nextIds = [...next];
  const describe = (ids: readonly number[]) => describeBlock(seatsOf(store, ids));
  const toRelease = current.filter((id) => !next.includes(id) && heldByMe(store, id));

  const { released, error: releaseError } = await releaseEach(ctx, toRelease);
  if (releaseError !== null) {
    // Could not give the block back (throttled, offline): hold again what did go, try nothing more.
    const back = released.length > 0 ? await holdAll(ctx, released) : { ok: true as const };
    const kept = current.filter((id) => heldByMe(store, id));
    const text = `Could not swap seats: ${errorMessage(releaseError)}${kept.length > 0 ? ` You still hold ${describe(kept)}.` : ''}`;
    return { outcome: { kind: 'error', text, refetch: !back.ok }, held: kept, swapped: false };
  }

  const taken = await holdAll(ctx, nextIds);
  if (taken.ok) {
    return { outcome: { kind: 'ok', text: `Now holding ${describe(nextIds)} instead.` }, held: nextIds, swapped: true };
  }

  const why =
    taken.error instanceof ApiError && taken.error.code === 'seat_unavailable'
      ? `Someone else took ${describe(nextIds)} a moment ago.`
      : `Could not hold ${describe(nextIds)}: ${errorMessage(taken.error)}`;
  const back = released.length > 0 ? await holdAll(ctx, released) : { ok: true as const };
  const kept = current.filter((id) => heldByMe(store, id));
  let rest: string;
  if (back.ok && kept.length > 0) rest = ` You still hold ${describe(kept)}.`;
  else if (kept.length > 0) rest = ` Meanwhile some of your earlier seats were taken too: you hold ${describe(kept)} now.`;
  else rest = ' Meanwhile your earlier seats were taken too, so you hold none of them now. Try Find seats again.';
  const outcome: Outcome = { kind: 'error', text: `${why.replace(/\.?$/, '.')}${rest}`, refetch: true };
  // The turn of the waiting room ran out between the search and the swap.
  const lost = turnRefusal(taken.error);
  if (lost) outcome.turnLost = lost;
  return { outcome, held: kept, swapped: false };
}
