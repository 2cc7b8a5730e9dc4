import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cancelReservation, fetchReservations } from '../api/reservations';

export const reservationsKey = ['reservations'] as const;

export function useReservations() {
  return useQuery({ queryKey: reservationsKey, queryFn: fetchReservations });
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
