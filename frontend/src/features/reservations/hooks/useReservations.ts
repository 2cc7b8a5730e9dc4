import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usePagedList } from '../../../lib/paged-list';
import { queryKeys } from '../../../lib/query-keys';
import { cancelReservation, fetchReservation, payReservation, type Reservation } from '../api/reservations';

export function useReservations() {
  return usePagedList<Reservation>(queryKeys.reservations, '/api/reservations/');
}

/** One of the caller's bookings (its confirmation page). */
export function useReservation(id: number) {
  return useQuery({ queryKey: queryKeys.reservation(id), queryFn: () => fetchReservation(id), enabled: Number.isInteger(id) && id > 0 });
}

/** "Pay now": the provider's page to go to, or what to do instead. */
export function usePayReservation() {
  return useMutation({ mutationFn: payReservation });
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
