import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import type { OffSaleKind, SeatOverlay, SeatStore } from '../../seat-map';
import { fetchOffSale, fetchSale } from '../api/console';
import { changesNeedServerFigures, countSale, type SaleCounts } from '../model/saleCounts';

/** At most one read of the server's figures in this long, however many bookings the frames show. */
export const FIGURES_AT_MOST_EVERY_MS = 1_000;

/**
 * What only the server knows of the sale: money taken, bookings in the last minute, the waiting
 * room (`sale/`), and which seats off sale are kept back and which killed (`off-sale/`, put on
 * the map's overlay). Read on opening, and again (with the bookings list) after a frame that
 * shows a seat booked, taken off sale or released, at most once a FIGURES_AT_MOST_EVERY_MS:
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
    const unsubscribe = store.subscribeChanges((ids) => {
      if (timer !== null || !changesNeedServerFigures(ids, store.getSeat, overlay.mark)) return;
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

/** The sale's counts, recounted from the store on every batch of frames and every change of the overlay. */
export function useSaleCounts(store: SeatStore, overlay: SeatOverlay): SaleCounts {
  const [counts, setCounts] = useState(() => countSale(store.seats(), overlay.mark));
  useEffect(() => {
    const recount = () => setCounts(countSale(store.seats(), overlay.mark));
    const unsubscribers = [store.subscribeChanges(recount), store.subscribePlan(recount), overlay.subscribeChanges(recount)];
    recount();
    return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
  }, [store, overlay]);
  return counts;
}
