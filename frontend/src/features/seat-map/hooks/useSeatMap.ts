import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { socketUrl } from '../../../lib/api';
import { serverClock } from '../../../lib/server-clock';
import { openLiveSocket } from '../../../lib/ws-client';
import { fetchSeats } from '../api/seats';
import { buildLayout, type MapLayout } from '../model/layout';
import { RovingFocus } from '../model/rovingFocus';
import { SeatFeed } from '../model/seatFeed';
import { SeatStore, type ApiSeat } from '../model/seatState';

export const seatsKey = (eventId: number) => ['events', eventId, 'seats'] as const;

export interface SeatMapModel {
  store: SeatStore;
  focus: RovingFocus;
  feed: SeatFeed;
  layout: MapLayout | null;
  /** The last seat list read over HTTP (for what the socket does not say: categories, flags). */
  apiSeats: ApiSeat[] | undefined;
  isPending: boolean;
  error: unknown;
  refetch: () => void;
}

/**
 * One event's live map: the HTTP seat list loads the store (and the layout, once), then the
 * socket keeps it current; a reconnect re-reads the list for what only HTTP knows (`mine`).
 * Mount with `key={eventId}` so another event gets a fresh store.
 */
export function useSeatMap(eventId: number, loggedIn: boolean, onLapsed?: (labels: string[]) => void): SeatMapModel {
  const queryClient = useQueryClient();
  // Only a logged-in user has holds to re-learn after a reconnect; anonymous watchers get all
  // they need from the snapshot (and a big event's list is not re-read by everyone at once).
  const loggedInRef = useRef(loggedIn);
  loggedInRef.current = loggedIn;
  const [store] = useState(() => new SeatStore());
  const [focus] = useState(() => new RovingFocus());
  const [feed] = useState(
    () =>
      new SeatFeed({
        eventId,
        store,
        openSocket: (handlers) => openLiveSocket({ url: () => socketUrl(`/ws/events/${eventId}/`), ...handlers }),
        onReconnected: () => {
          if (loggedInRef.current) void queryClient.invalidateQueries({ queryKey: seatsKey(eventId) });
        },
      }),
  );

  const seats = useQuery({
    queryKey: seatsKey(eventId),
    queryFn: () => fetchSeats(eventId),
    // The socket keeps the map fresh; the list is read again only after a reconnect or an error.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  // First load straight into the empty store during render (no seat is subscribed yet, so
  // nothing is told), later loads after render.
  const loaded = useRef<unknown>(null);
  if (seats.data && store.size === 0) {
    store.loadFromApi(seats.data.seats);
    loaded.current = seats.data;
  }
  useEffect(() => {
    if (seats.data && loaded.current !== seats.data) {
      store.loadFromApi(seats.data.seats);
      loaded.current = seats.data;
    }
  }, [seats.data, store]);

  // The layout only changes if the set of seats does.
  const signature = seats.data ? seats.data.seats.map((s) => s.id).join(',') : '';
  const layout = useMemo(() => (seats.data ? buildLayout(seats.data.seats) : null), [signature]); // eslint-disable-line react-hooks/exhaustive-deps
  if (layout && focus.activeId === null && layout.rows.length > 0) focus.setActive(layout.rows[0].seatIds[0], false);

  // The socket opens once the list is in, so its snapshot is newer than the list.
  const ready = Boolean(seats.data);
  useEffect(() => {
    if (!ready) return;
    feed.start();
    return () => feed.stop();
  }, [feed, ready]);

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
    apiSeats: seats.data?.seats,
    isPending: seats.isPending,
    error: seats.error,
    refetch: () => void queryClient.invalidateQueries({ queryKey: seatsKey(eventId) }),
  };
}

export function useFeedStatus(feed: SeatFeed) {
  return useSyncExternalStore(feed.subscribeStatus, feed.getStatus);
}
