import { useMutation, useQueryClient } from '@tanstack/react-query';
import { usePagedList } from '../../../lib/paged-list';
import { cancelReservation, type Reservation } from '../api/reservations';

export const reservationsKey = ['reservations'] as const;

export function useReservations() {
  return usePagedList<Reservation>(reservationsKey, '/api/reservations/');
}

export function useCancelReservation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelReservation,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: reservationsKey });
      void queryClient.invalidateQueries({ queryKey: ['events'] });
    },
  });
}
