import { useQuery } from '@tanstack/react-query';
import { fetchLayout } from '../api/layout';

export const layoutKey = (eventId: number) => ['events', eventId, 'layout'] as const;

/**
 * The room's layout, fetched once per event and kept for the page's life (a layout does not
 * change while people book). `data` is null when the event has none (404): draw the grid.
 */
export function useVenueLayout(eventId: number) {
  return useQuery({
    queryKey: layoutKey(eventId),
    queryFn: () => fetchLayout(eventId),
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}
