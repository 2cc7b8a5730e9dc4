import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { serverClock } from '../../../lib/server-clock';
import { useHeldSeats, type SeatStore } from '../../seat-map';
import { fetchHoldRun } from '../api/seats';
import { cooldownEnd, decodeHoldRun, lastSeatWent, nextRunChange } from '../model/holdRun';

/**
 * While the buyer may not hold seats of the event (the cooldown after their run of holds reached
 * its cap): when they may again; else null. The run is read on arrival, when the buyer's last
 * held seat goes, and when a run going on reaches its cap; the answer ends by itself.
 */
export function useHoldRun(eventId: number, store: SeatStore, loggedIn: boolean): number | null {
  const queryClient = useQueryClient();
  const { data: run } = useQuery({
    queryKey: queryKeys.holdRun(eventId),
    queryFn: async () => decodeHoldRun(await fetchHoldRun(eventId), serverClock.now()),
    enabled: loggedIn,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  const holding = useHeldSeats(store).length > 0;
  const wasHolding = useRef(holding);
  useEffect(() => {
    if (lastSeatWent(wasHolding.current, holding)) void queryClient.invalidateQueries({ queryKey: queryKeys.holdRun(eventId) });
    wasHolding.current = holding;
  }, [holding, queryClient, eventId]);

  // The clock as of the last read or change, moved on by the timer below only.
  const [tick, setTick] = useState(0);
  const now = Math.max(tick, run?.readAt ?? 0);
  const next = nextRunChange(run, now, holding);
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

  return loggedIn ? cooldownEnd(run, now) : null;
}
