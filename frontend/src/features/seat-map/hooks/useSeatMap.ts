import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { queryKeys, READ_ONCE } from '../../../lib/query-keys';
import { serverClock } from '../../../lib/server-clock';
import { ApiError } from '../../../lib/api-client';
import { fetchOwnHolds, fetchSeatList, fetchSeatMap, fetchSeatStates } from '../api/seatMap';
import { buildLayout, type MapLayout } from '../model/layout';
import { RovingFocus } from '../model/rovingFocus';
import {
  decodeOwnHolds,
  decodeSeatMap,
  decodeSeatStates,
  seatListAsStates,
  type ApiSeatStates,
  type OwnHold,
  type SeatPlan,
  type SeatStates,
  type StreamPoint,
} from '../model/seatPlan';
import type { ApiSeat } from '../model/seat';

/** What the page arrived with: `state/`, or (Redis gone) the seat list. */
type ArrivedStates = { state: ApiSeatStates; seatList?: undefined } | { seatList: ApiSeat[]; state?: undefined };

interface OwnSeats {
  holds: OwnHold[];
  booked: number[];
}
import { SeatStore } from '../model/seatStore';

export interface SeatMapModel {
  store: SeatStore;
  focus: RovingFocus;
  /**
   * The point of the stream the store's seats were read at, once it holds them (null before):
   * where the live feed resumes from.
   */
  arrivedAt: StreamPoint | null;
  layout: MapLayout | null;
  /** The map's static part (`map/`): seats, categories, and the room when there is one. */
  plan: SeatPlan | undefined;
  isPending: boolean;
  error: unknown;
  refetch: () => void;
}

/**
 * One event's map. On arrival: the static map (`map/`, from the browser's HTTP cache when it has
 * it), the state at a point of the stream (`state/`) and, logged in, the buyer's own holds and
 * booked seats (`holds/`, read again whenever `queryKeys.ownHolds` is invalidated: after a
 * reconnect, or an answer that says the page is missing some). The live feature keeps the store
 * current from `arrivedAt` on. Mount with `key={eventId}` so another event gets a fresh store.
 */
export function useSeatMap(eventId: number, loggedIn: boolean): SeatMapModel {
  const queryClient = useQueryClient();
  const [store] = useState(() => new SeatStore());
  const [focus] = useState(() => new RovingFocus());

  const map = useQuery({
    queryKey: queryKeys.seatPlan(eventId),
    queryFn: async () => decodeSeatMap(await fetchSeatMap(eventId)),
    // Static while on sale; a later visit asks the server again (ETag, 304).
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  // Read once, at the same time as the map: the socket keeps the store current after it. With
  // Redis gone `state/` answers 503 (API.md "When Redis is gone") and the map opens from the
  // seat list, which the database answers.
  const states = useQuery({
    queryKey: queryKeys.seatStates(eventId),
    queryFn: async (): Promise<ArrivedStates> => {
      try {
        return { state: await fetchSeatStates(eventId) };
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 503)) throw error;
        return { seatList: (await fetchSeatList(eventId)).seats };
      }
    },
    ...READ_ONCE,
  });

  // The two documents together: a state that does not match the map (seats added between the
  // two reads) is an error, offered again by `refetch`.
  const arrival = useMemo((): { states?: SeatStates; own?: Pick<OwnSeats, 'holds' | 'booked'>; error?: unknown } => {
    if (!map.data || !states.data) return {};
    try {
      if (states.data.seatList) {
        const { doc, holds, booked } = seatListAsStates(states.data.seatList, map.data.ids);
        return { states: decodeSeatStates(doc, map.data.ids), own: { holds, booked } };
      }
      return { states: decodeSeatStates(states.data.state, map.data.ids) };
    } catch (error) {
      return { error };
    }
  }, [map.data, states.data]);

  // The store is loaded after commit, never during render (a render React discards must not
  // change it); the map is shown once the store says it holds the seats.
  useEffect(() => {
    if (map.data && arrival.states) store.loadPlan(map.data.seats, arrival.states.seats);
  }, [map.data, arrival.states, store]);
  const plansLoaded = useSyncExternalStore(store.subscribePlan, store.getPlansLoaded);
  const ready = Boolean(map.data && arrival.states) && plansLoaded > 0;

  const layout = useMemo(() => (map.data ? buildLayout(map.data.seats) : null), [map.data]);
  // The map's single Tab stop starts on its first seat.
  useEffect(() => {
    if (layout && focus.activeId === null && layout.rows.length > 0) focus.setActive(layout.rows[0].seatIds[0], false);
  }, [layout, focus]);

  // Whose seats: the buyer's holds and booked seats, read when logged in (again after a reconnect
  // or an answer that says the page is missing some, e.g. `hold_limit`).
  const holds = useQuery({
    queryKey: queryKeys.ownHolds(eventId),
    queryFn: async () => {
      const before = store.ownHoldVersions();
      return { ...decodeOwnHolds(await fetchOwnHolds(eventId)), before };
    },
    enabled: loggedIn,
    ...READ_ONCE,
  });
  useEffect(() => {
    if (!ready || !holds.data) return;
    store.applyOwnHolds(holds.data.holds, holds.data.before);
    store.applyOwnBookings(holds.data.booked);
  }, [ready, holds.data, store]);
  // Arrived from the seat list (Redis gone): it says which seats are the buyer's.
  useEffect(() => {
    if (!ready || !arrival.own) return;
    store.applyOwnHolds(arrival.own.holds);
    store.applyOwnBookings(arrival.own.booked);
  }, [ready, arrival.own, store]);

  useEffect(() => {
    const timer = setInterval(() => store.expire(serverClock.now()), 250);
    return () => clearInterval(timer);
  }, [store]);

  return {
    store,
    focus,
    arrivedAt: ready ? (arrival.states ?? null) : null,
    layout,
    plan: map.data,
    isPending: !ready && !map.error && !states.error && !arrival.error,
    error: map.error ?? states.error ?? arrival.error ?? null,
    refetch: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.seatPlan(eventId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.seatStates(eventId) });
    },
  };
}
