import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryKeys, READ_ONCE } from '../../../lib/query-keys';
import { serverClock } from '../../../lib/server-clock';
import { useBookedCount, useHeldSeats, type SeatStore } from '../../seat-map';
import { fetchHoldRun } from '../api/seats';
import { cooldownEnd, decodeHoldRun, nextRunChange } from '../model/holdRun';
import type { BuyerState } from '../model/limits';

/**
 * `holdAgainAt`: while the buyer may not hold seats of the event (the cooldown after their run
 * of holds reached its cap), when they may again, else null; it ends by itself. `buyer`: what
 * they hold, have booked and may still take, as the server counts them (undefined until read).
 * Read on arrival, whenever the seats the page shows held or booked by them change, and when a
 * run going on reaches its cap. `reading`: a read is under way, so `buyer` may be older than the
 * seats the page shows (a seat just let go of is still counted): nothing is refused by it then.
 */
export function useHoldRun(eventId: number, store: SeatStore, loggedIn: boolean): { holdAgainAt: number | null; buyer?: BuyerState; reading: boolean } {
  const queryClient = useQueryClient();
  const { data: run, isFetching } = useQuery({
    queryKey: queryKeys.holdRun(eventId),
    queryFn: async () => decodeHoldRun(await fetchHoldRun(eventId), serverClock.now()),
    enabled: loggedIn,
    ...READ_ONCE,
  });

  const seats = `${useHeldSeats(store).length} held, ${useBookedCount(store)} booked`;
  const shown = useRef(seats);
  useEffect(() => {
    if (shown.current !== seats) void queryClient.invalidateQueries({ queryKey: queryKeys.holdRun(eventId) });
    shown.current = seats;
  }, [seats, queryClient, eventId]);

  // The clock as of the last read or change, moved on by the timer below only.
  const [tick, setTick] = useState(0);
  const now = Math.max(tick, run?.readAt ?? 0);
  const next = nextRunChange(run, now);
  const nextAt = next?.at ?? null;
  const read = next?.read ?? false;
  useEffect(() => {
    if (nextAt === null) return;
    const timer = setTimeout(() => {
      setTick(Math.max(serverClock.now(), nextAt)); // past it, even on a clock that moved back
      if (read) void queryClient.invalidateQueries({ queryKey: queryKeys.holdRun(eventId) });
    }, nextAt - serverClock.now());
    return () => clearTimeout(timer);
  }, [nextAt, read, queryClient, eventId]);

  return loggedIn ? { holdAgainAt: cooldownEnd(run, now), buyer: run?.buyer, reading: isFetching } : { holdAgainAt: null, reading: false };
}
