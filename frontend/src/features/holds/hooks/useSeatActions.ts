import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { serverClock } from '../../../lib/server-clock';
import { useLatest } from '../../../lib/use-latest';
import { useHoldRun } from './useHoldRun';
import { extendSeat, lockSeat, reserveSeats, unlockSeat } from '../api/seats';
import { newIdempotencyKey } from '../model/idempotency';
import { extendHeld, reserveHeld, toggleSeat, type ActionContext, type Outcome } from '../model/seatActions';
import type { SeatStore } from '../../seat-map';

const seatApi: ActionContext['api'] = { lock: lockSeat, unlock: unlockSeat, extend: extendSeat, reserve: reserveSeats };

/** The calls as made during a waiting room's turn: a lock carries the turn token. */
function duringTurn(turn: string): ActionContext['api'] {
  return { ...seatApi, lock: (eventId, seatId) => lockSeat(eventId, seatId, turn) };
}

/**
 * Stable callbacks (so memoised seats never re-render for them) that report an Outcome. `turn`:
 * the waiting room's turn token, while the event has one.
 */
export function useSeatActions(
  eventId: number,
  store: SeatStore,
  loggedIn: boolean | undefined,
  report: (o: Outcome) => void,
  money?: (amount: string) => string,
  turn?: string | null,
) {
  const queryClient = useQueryClient();
  const { holdAgainAt, buyer, reading } = useHoldRun(eventId, store, loggedIn === true);
  // A click while the buyer's seats are read again is asked of the server, not refused by the
  // count from before (a seat just let go of would still be in it).
  const latest = useLatest({ loggedIn, report, money, turn, buyer: reading ? undefined : buyer, holdAgainAt });

  const context = useCallback(
    (): ActionContext => ({
      eventId,
      store,
      api: latest.current.turn ? duringTurn(latest.current.turn) : seatApi,
      loggedIn: latest.current.loggedIn,
      newKey: newIdempotencyKey,
      money: latest.current.money,
      buyer: latest.current.buyer,
      now: () => serverClock.now(),
      holdAgainAt: latest.current.holdAgainAt,
    }),
    [eventId, store, latest],
  );

  const finish = useCallback(
    (outcome: Outcome | null) => {
      if (!outcome) return;
      // The page is missing some of this buyer's holds (another tab's): read them again.
      if (outcome.refetch) void queryClient.invalidateQueries({ queryKey: queryKeys.ownHolds(eventId) });
      // New prices: the map (and the states read with it) again, so the basket shows them.
      if (outcome.refetchPrices) void queryClient.invalidateQueries({ queryKey: queryKeys.seatPlan(eventId) });
      if (outcome.refetchRun) void queryClient.invalidateQueries({ queryKey: queryKeys.holdRun(eventId) });
      if (outcome.kind === 'login') void queryClient.invalidateQueries({ queryKey: queryKeys.me });
      latest.current.report(outcome);
    },
    [queryClient, eventId, latest],
  );

  const toggle = useCallback(
    (seatId: number) => void toggleSeat(context(), seatId).then((outcome) => finish(outcome && { ...outcome, seatId })),
    [context, finish],
  );

  const reserve = useCallback(async () => {
    const outcome = await reserveHeld(context());
    if (outcome.kind === 'ok') {
      void queryClient.invalidateQueries({ queryKey: queryKeys.reservations });
      void queryClient.invalidateQueries({ queryKey: queryKeys.events, exact: true });
      void queryClient.invalidateQueries({ queryKey: queryKeys.event(eventId), exact: true });
    }
    finish(outcome);
    return outcome;
  }, [context, finish, queryClient, eventId]);

  /** "Keep my seats": resolves with the seats the server will not extend any further. */
  const extend = useCallback(
    async (seatIds: readonly number[]) => {
      const { outcome, capped } = await extendHeld(context(), seatIds);
      finish(outcome);
      return capped;
    },
    [context, finish],
  );

  /** `holdAgainAt`: while the buyer may not hold seats of the event, when they may again (the
   * basket says it); `buyer`: what they hold, have booked and may still take (useHoldRun). */
  return { toggle, reserve, extend, holdAgainAt, buyer };
}
