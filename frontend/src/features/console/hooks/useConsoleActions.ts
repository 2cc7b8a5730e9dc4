import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import {
  refundBooking,
  settleBooking,
  releaseSeats,
  reseatBooking,
  sellAtBoxOffice,
  setLimits,
  takeOffSale,
  type BoxOfficeBody,
  type KeepBody,
  type LimitsBody,
  type OffSaleSeat,
} from '../api/console';

/**
 * The console's changes, each one request, and what each makes the page read again: the seats'
 * own states come back on the socket like everyone's; the seats off sale that a change names are
 * put on the map at once (its answer says them), and the figures, bookings and limits are read again.
 */
export function useConsoleActions(eventId: number) {
  const queryClient = useQueryClient();
  const refresh = (...keys: (readonly unknown[])[]) => {
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
  };
  const putOffSale = (changed: OffSaleSeat[]) =>
    queryClient.setQueryData<OffSaleSeat[]>(queryKeys.offSale(eventId), (before = []) => {
      const named = new Set(changed.map((seat) => seat.id));
      return [...before.filter((seat) => !named.has(seat.id)), ...changed];
    });

  const keep = useMutation({
    mutationFn: (body: KeepBody) => takeOffSale(eventId, body),
    onSuccess: ({ changed }) => {
      putOffSale(changed);
      refresh(queryKeys.offSale(eventId), queryKeys.saleFigures(eventId));
    },
  });
  const release = useMutation({
    mutationFn: ({ seatIds, at }: { seatIds: number[]; at: string | null }) => releaseSeats(eventId, seatIds, at),
    onSuccess: () => refresh(queryKeys.offSale(eventId), queryKeys.saleFigures(eventId)),
  });
  const sell = useMutation({
    mutationFn: (body: BoxOfficeBody) => sellAtBoxOffice(eventId, body),
    onSuccess: ({ reservation }) => {
      queryClient.setQueryData(queryKeys.staffBooking(reservation.id), { ...reservation, history: [] });
      refresh(queryKeys.staffBooking(reservation.id), queryKeys.saleFigures(eventId), queryKeys.offSale(eventId), queryKeys.staffBookings(eventId));
    },
  });
  const afterBookingChange = (reservationId: number) =>
    refresh(queryKeys.staffBooking(reservationId), queryKeys.staffBookings(eventId), queryKeys.saleFigures(eventId), queryKeys.offSale(eventId));
  const reseat = useMutation({
    mutationFn: ({ reservationId, moves, reason }: { reservationId: number; moves: [number, number][]; reason: string }) =>
      reseatBooking(reservationId, moves, reason),
    onSuccess: (_answer, { reservationId }) => afterBookingChange(reservationId),
  });
  const refund = useMutation({
    mutationFn: ({ reservationId, ...body }: { reservationId: number; seat_ids: number[] | null; refunded: string; reason: string }) =>
      refundBooking(reservationId, body),
    onSuccess: (_answer, { reservationId }) => afterBookingChange(reservationId),
  });
  const settle = useMutation({
    mutationFn: ({ reservationId, ...body }: { reservationId: number; amount: string; reference: string }) =>
      settleBooking(reservationId, body),
    onSuccess: (_answer, { reservationId }) => afterBookingChange(reservationId),
  });
  const limit = useMutation({
    mutationFn: (body: LimitsBody) => setLimits(eventId, body),
    onSuccess: (answer) => {
      queryClient.setQueryData(queryKeys.limits(eventId), answer);
      // The event's detail alone (it says the limit), not the map and states under its key.
      void queryClient.invalidateQueries({ queryKey: queryKeys.event(eventId), exact: true });
    },
  });
  return { keep, release, sell, reseat, refund, settle, limit };
}

export type ConsoleActions = ReturnType<typeof useConsoleActions>;
