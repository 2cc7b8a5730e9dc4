import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, useSyncExternalStore } from 'react';
import { errorMessage, holdAgainText } from '../../../lib/error-messages';
import { queryKeys } from '../../../lib/query-keys';
import type { TurnRefusal } from '../../../lib/queue-turn';
import { findBestSeats, type BestAnswer, type BestRequest } from '../api/best';
import { lockSeats, unlockSeat, type BuyerState, type Outcome } from '../../holds';
import { foundMessage, openAlternatives, refusalOutcome, stillHolding } from '../model/findSeats';
import type { RovingFocus, SeatStore } from '../../seat-map';
import { releaseEach, takeAlternative, type SwapApi } from '../model/swapBlock';

const swapApi: SwapApi = { unlock: unlockSeat, lockMany: lockSeats };

/** The calls as made during a waiting room's turn: holding carries the turn token. */
function duringTurn(turn: string | null | undefined): { swap: SwapApi; best: typeof findBestSeats } {
  if (!turn) return { swap: swapApi, best: findBestSeats };
  return {
    swap: { ...swapApi, lockMany: (eventId, seatIds) => lockSeats(eventId, seatIds, turn) },
    best: (eventId, request) => findBestSeats(eventId, request, turn),
  };
}

/** The block the last search holds for the buyer, and what else would have fitted. */
export interface FoundBlock {
  seatIds: number[];
  alternatives: number[][];
}

export interface FindSeatsOptions {
  eventId: number;
  store: SeatStore;
  focus: RovingFocus;
  /** What the buyer holds, has booked and may still take, once read. */
  buyer?: BuyerState;
  /** Category id → name, for "No 4 seats together are left in Premium". */
  categoryName: (id: number) => string | undefined;
  /** Told the seats of each block held (a search's, or the alternative taken), so the map can show them. */
  onHeld?: (seatIds: number[]) => void;
  /** The waiting room's turn token, while the event has one. */
  turn?: string | null;
  /** Told when the turn is not good any more (403 `queue_turn_*`), with the sentence that says so. */
  onTurnLost?: (text: string, refusal: TurnRefusal) => void;
  /** While the buyer may not hold seats of the event: when they may again (then nothing is asked). */
  holdAgainAt?: number | null;
}

/**
 * The search and the swap, as TanStack Query mutations: the store gets the held seats (the
 * socket's push of the same change is then older and ignored), the page gets one sentence.
 */
export function useFindSeats({ eventId, store, focus, buyer, categoryName, onHeld, turn, onTurnLost, holdAgainAt = null }: FindSeatsOptions) {
  const queryClient = useQueryClient();
  const calls = duringTurn(turn);
  const [found, setFound] = useState<FoundBlock | null>(null);
  const [message, setMessage] = useState<Outcome | null>(null);

  const report = (outcome: Outcome) => {
    if (outcome.refetch) void queryClient.invalidateQueries({ queryKey: queryKeys.ownHolds(eventId) });
    if (outcome.kind === 'login') void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    if (outcome.turnLost) onTurnLost?.(outcome.text, outcome.turnLost);
    setMessage(outcome);
  };

  /** The block now held: Tab into the map lands on it, and the map shows it; the keyboard
   *  stays where it is. */
  const showHeld = (seatIds: number[]) => {
    if (seatIds.length === 0) return;
    focus.setActive(seatIds[0], false);
    onHeld?.(seatIds);
  };

  const held = (answer: BestAnswer) => {
    for (const seat of answer.seats) store.applyOwnAnswer({ ...seat, mine: seat.mine ?? true });
    const seatIds = answer.seats.map((s) => s.id);
    setFound({ seatIds, alternatives: (answer.alternatives ?? []).slice(0, 3) });
    report({ kind: 'ok', text: foundMessage(answer.seats, answer.together) });
    showHeld(seatIds);
  };
  const refused = (error: unknown, request: BestRequest) =>
    report(
      refusalOutcome(error, request, {
        categoryName: request.category !== undefined ? categoryName(request.category) : undefined,
        buyer,
      }),
    );

  const find = useMutation({
    mutationFn: (request: BestRequest) => calls.best(eventId, request),
    onMutate: () => setMessage(null),
    onSuccess: held,
    onError: refused,
  });

  // "Give them back and find": the earlier holds go first, so the new block may use their seats
  // and the hold limit counts only the new one.
  const replace = useMutation({
    mutationFn: async (request: BestRequest) => {
      const earlier = store.getHeld().map((seat) => seat.id);
      const { error } = await releaseEach({ eventId, store, api: calls.swap }, earlier);
      if (error) throw error;
      setFound(null);
      return calls.best(eventId, request);
    },
    onMutate: () => setMessage(null),
    onSuccess: held,
    onError: refused,
  });

  const swap = useMutation({
    mutationFn: (alternative: number[]) =>
      takeAlternative({ eventId, store, api: calls.swap }, found?.seatIds ?? [], alternative),
    onMutate: () => setMessage(null),
    onSuccess: (result, alternative) => {
      const same = (a: number[]) => a.join(',') === alternative.join(',');
      setFound((before) => {
        if (!before) return before;
        // A refused swap keeps the offer list: one taken by someone drops out as the map learns of it.
        if (!result.swapped) return result.held.length > 0 ? { ...before, seatIds: result.held } : null;
        // The block given back becomes an alternative in its turn.
        const others = before.alternatives.filter((a) => !same(a));
        return { seatIds: result.held, alternatives: [before.seatIds, ...others].slice(0, 3) };
      });
      report(result.outcome);
      if (result.swapped) showHeld(result.held);
    },
    onError: (error) => report({ kind: 'error', text: errorMessage(error), refetch: true }),
  });

  // Re-render when a seat of the block or of an alternative changes (taken by someone, lapsed).
  const watched = found ? [found.seatIds, ...found.alternatives].flat() : [];
  const key = watched.join(',');
  const subscribe = useCallback(
    (onChange: () => void) => {
      const ids = new Set(key ? key.split(',').map(Number) : []);
      return store.subscribeChanges((changed) => {
        if (changed.some((id) => ids.has(id))) onChange();
      });
    },
    [store, key],
  );
  const snapshot = () => {
    if (!found || !stillHolding(found.seatIds, store.getSeat)) return '';
    return openAlternatives(found.alternatives, store.getSeat)
      .map((ids) => ids.join(','))
      .join(';');
  };
  const open = useSyncExternalStore(subscribe, snapshot);
  const alternatives = open ? open.split(';').map((ids) => ids.split(',').map(Number)) : [];

  // In the cooldown after the buyer's run of holds reached its cap the server's answer is known
  // till then (as a click on a seat, useSeatActions): say it and ask nothing.
  const unlessCoolingDown =
    <T,>(ask: (request: T) => void) =>
    (request: T) => {
      if (holdAgainAt !== null && holdAgainAt > Date.now()) report({ kind: 'error', text: holdAgainText(holdAgainAt) });
      else ask(request);
    };

  return {
    found,
    /** Alternatives to offer now: only while the buyer holds the found block, and only those still free. */
    alternatives,
    message,
    dismiss: () => setMessage(null),
    find: unlessCoolingDown(find.mutate),
    /** Gives back every seat the buyer holds, then finds. */
    replaceAndFind: unlessCoolingDown(replace.mutate),
    finding: find.isPending || replace.isPending,
    take: swap.mutate,
    taking: swap.isPending,
  };
}
