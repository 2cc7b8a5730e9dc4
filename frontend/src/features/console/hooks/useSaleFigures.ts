import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import type { OffSaleKind, SeatOverlay, SeatStore } from '../../seat-map';
import { fetchOffSale, fetchSale } from '../api/console';
import { LiveCounts, bookedIds, changesNeedServerFigures, type SaleCounts } from '../model/saleCounts';

/** At most one read of the server's figures in this long, however many bookings the frames show. */
export const FIGURES_AT_MOST_EVERY_MS = 1_000;

/**
 * What only the server knows of the sale: money taken, bookings in the last minute, the waiting
 * room (`sale/`), and which seats off sale are kept back and which killed (`off-sale/`, put on
 * the map's overlay). Read on opening, and again (with the bookings list) after a frame that
 * shows a seat booked, no longer booked, taken off sale or released, at most once a FIGURES_AT_MOST_EVERY_MS:
 * never on a timer.
 */
export function useSaleFigures(eventId: number, store: SeatStore, overlay: SeatOverlay, live: boolean) {
  const queryClient = useQueryClient();
  const sale = useQuery({ queryKey: queryKeys.saleFigures(eventId), queryFn: () => fetchSale(eventId), refetchOnWindowFocus: false });
  const offSale = useQuery({ queryKey: queryKeys.offSale(eventId), queryFn: () => fetchOffSale(eventId), refetchOnWindowFocus: false });

  useEffect(() => {
    if (!offSale.data) return;
    overlay.setOffSale(new Map(offSale.data.map((seat): [number, OffSaleKind] => [seat.id, seat.off_sale])));
  }, [offSale.data, overlay]);

  // From the moment the store follows the stream (not for the seats it arrived with).
  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const booked = bookedIds(store.seats());
    const unsubscribe = store.subscribeChanges((ids) => {
      if (!changesNeedServerFigures(ids, store.getSeat, overlay.mark, booked) || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: queryKeys.saleFigures(eventId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.offSale(eventId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.staffBookings(eventId) });
      }, FIGURES_AT_MOST_EVERY_MS);
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [live, store, overlay, queryClient, eventId]);

  return { sale, offSale };
}

/** The sale's counts, kept current from the store and the overlay while the console is open. */
export function useLiveCounts(store: SeatStore, overlay: SeatOverlay): LiveCounts {
  const [live] = useState(() => new LiveCounts(store, overlay));
  useEffect(() => live.start(), [live]);
  return live;
}

/** The counts as they stand: the component re-renders with every recount (every batch of frames). */
export function useCounts(live: LiveCounts): SaleCounts {
  return useSyncExternalStore(live.subscribe, live.get);
}
