import { useMutation, useQueryClient } from '@tanstack/react-query';
import { usePagedList } from '../../../lib/paged-list';
import { queryKeys } from '../../../lib/query-keys';
import { cancelReservation, type Reservation } from '../api/reservations';

export function useReservations() {
  return usePagedList<Reservation>(queryKeys.reservations, '/api/reservations/');
}

export function useCancelReservation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelReservation,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.reservations });
      void queryClient.invalidateQueries({ queryKey: queryKeys.events });
    },
  });
}
