import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { socketUrl } from '../../../lib/api';
import { serverClock } from '../../../lib/server-clock';
import { openLiveSocket } from '../../../lib/ws-client';
import { fetchOwnHolds, fetchSeatMap, fetchSeatStates } from '../api/seatMap';
import { buildLayout, type MapLayout } from '../model/layout';
import { RovingFocus } from '../model/rovingFocus';
import { SeatFeed, resumeQuery } from '../model/seatFeed';
import { decodeOwnHolds, decodeSeatMap, decodeSeatStates, type SeatPlan, type SeatStates } from '../model/seatPlan';
import { SeatStore } from '../model/seatState';

export const seatMapKey = (eventId: number) => ['events', eventId, 'map'] as const;
export const seatStatesKey = (eventId: number) => ['events', eventId, 'state'] as const;
export const ownHoldsKey = (eventId: number) => ['events', eventId, 'holds'] as const;

export interface SeatMapModel {
  store: SeatStore;
  focus: RovingFocus;
  feed: SeatFeed;
  layout: MapLayout | null;
  /** The map's static part (`map/`): seats, categories, and the room when there is one. */
  plan: SeatPlan | undefined;
  isPending: boolean;
  error: unknown;
  refetch: () => void;
}

/**
 * One event's live map. On arrival: the static map (`map/`, from the browser's HTTP cache when
 * it has it), the state at a point of the stream (`state/`) and, logged in, the buyer's own
 * holds and booked seats (`holds/`); then a socket that resumes from that point, so the server
 * sends no snapshot of what the page already has. A reconnect resumes from the stream's
 * position and, logged in, reads `holds/` again (the socket never says whose a seat is).
 * Mount with `key={eventId}` so another event gets a fresh store.
 */
export function useSeatMap(eventId: number, loggedIn: boolean, onLapsed?: (labels: string[]) => void): SeatMapModel {
  const queryClient = useQueryClient();
  const loggedInRef = useRef(loggedIn);
  loggedInRef.current = loggedIn;
  const [store] = useState(() => new SeatStore());
  const [focus] = useState(() => new RovingFocus());
  const [feed] = useState(
    () =>
      new SeatFeed({
        eventId,
        store,
        openSocket: (handlers, resumeFrom) =>
          openLiveSocket({ url: () => socketUrl(`/ws/events/${eventId}/`) + resumeQuery(resumeFrom()), ...handlers }),
        onReconnected: () => {
          if (!loggedInRef.current) return; // anonymous watchers have no holds to re-learn
          void queryClient.invalidateQueries({ queryKey: ownHoldsKey(eventId) });
        },
      }),
  );

  const map = useQuery({
    queryKey: seatMapKey(eventId),
    queryFn: async () => decodeSeatMap(await fetchSeatMap(eventId)),
    // Static while on sale; a later visit asks the server again (ETag, 304).
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  // Read once, at the same time as the map: the socket keeps the store current after it.
  const states = useQuery({
    queryKey: seatStatesKey(eventId),
    queryFn: () => fetchSeatStates(eventId),
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  // The two documents together: a state that does not match the map (seats added between the
  // two reads) is an error, offered again by `refetch`.
  const arrival = useMemo((): { states?: SeatStates; error?: unknown } => {
    if (!map.data || !states.data) return {};
    try {
      return { states: decodeSeatStates(states.data, map.data.ids) };
    } catch (error) {
      return { error };
    }
  }, [map.data, states.data]);

  // First load straight into the empty store during render (no seat is subscribed yet, so
  // nothing is told); a later map or state (after `refetch`) after render.
  const loaded = useRef<SeatStates | null>(null);
  if (map.data && arrival.states && store.size === 0) {
    store.loadPlan(map.data.seats, arrival.states.seats);
    loaded.current = arrival.states;
  }
  useEffect(() => {
    if (map.data && arrival.states && loaded.current !== arrival.states) {
      store.loadPlan(map.data.seats, arrival.states.seats);
      loaded.current = arrival.states;
    }
  }, [map.data, arrival.states, store]);
  const ready = Boolean(map.data && arrival.states);

  const layout = useMemo(() => (map.data ? buildLayout(map.data.seats) : null), [map.data]);
  if (layout && focus.activeId === null && layout.rows.length > 0) focus.setActive(layout.rows[0].seatIds[0], false);

  // The socket opens once the state is in, and resumes from its point.
  const from = arrival.states;
  useEffect(() => {
    if (!ready || !from) return;
    feed.start({ epoch: from.epoch, seq: from.seq });
    return () => feed.stop();
  }, [feed, ready]); // eslint-disable-line react-hooks/exhaustive-deps

  // Whose seats: the buyer's holds and booked seats, read when logged in (again after a reconnect
  // or an answer that says the page is missing some, e.g. `hold_limit`).
  const holds = useQuery({
    queryKey: ownHoldsKey(eventId),
    queryFn: async () => {
      const before = store.ownHoldVersions();
      return { ...decodeOwnHolds(await fetchOwnHolds(eventId)), before };
    },
    enabled: loggedIn,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  useEffect(() => {
    if (!ready || !holds.data) return;
    store.applyOwnHolds(holds.data.holds, holds.data.before);
    store.applyOwnBookings(holds.data.booked);
  }, [ready, holds.data, store]);

  const lapsedRef = useRef(onLapsed);
  lapsedRef.current = onLapsed;
  useEffect(
    () => store.subscribeHoldLost((ids) => lapsedRef.current?.(ids.map((id) => store.label(id) ?? `#${id}`))),
    [store],
  );
  useEffect(() => {
    const timer = setInterval(() => store.expire(serverClock.now()), 250);
    return () => clearInterval(timer);
  }, [store]);

  return {
    store,
    focus,
    feed,
    layout,
    plan: map.data,
    isPending: !ready && !map.error && !states.error && !arrival.error,
    error: map.error ?? states.error ?? arrival.error ?? null,
    refetch: () => {
      void queryClient.invalidateQueries({ queryKey: seatMapKey(eventId) });
      void queryClient.invalidateQueries({ queryKey: seatStatesKey(eventId) });
    },
  };
}

export function useFeedStatus(feed: SeatFeed) {
  return useSyncExternalStore(feed.subscribeStatus, feed.getStatus);
}
