import { api } from '../../../lib/api';
import type { ApiSeat } from '../model/seatState';

export interface SeatAnswer {
  success: boolean;
  message?: string;
  seat: ApiSeat;
}

export interface ReservationAnswer {
  success: boolean;
  reservation: {
    id: number;
    status: 'confirmed' | 'cancelled';
    seats: { id: number; label: string; price: string }[];
    total_price: string;
  };
}

export const lockSeat = (eventId: number, seatId: number) =>
  api.post<SeatAnswer>(`/api/events/${eventId}/seats/${seatId}/lock/`, {});

export const unlockSeat = (eventId: number, seatId: number) =>
  api.post<SeatAnswer>(`/api/events/${eventId}/seats/${seatId}/unlock/`, {});

/** More time on a hold (issue 13); 409 `hold_cap_reached` at SEAT_HOLD_MAX_SECONDS. */
export const extendSeat = (eventId: number, seatId: number) =>
  api.post<SeatAnswer>(`/api/events/${eventId}/seats/${seatId}/extend/`, {});

export const reserveSeats = (eventId: number, seatIds: number[], idempotencyKey: string) =>
  api.post<ReservationAnswer>(
    `/api/events/${eventId}/reserve/`,
    { seat_ids: seatIds },
    { headers: { 'Idempotency-Key': idempotencyKey } },
  );

export interface SeatsAnswer {
  success: boolean;
  seats: ApiSeat[];
}

/** Several seats at once, all or none; on 409 the error's `seats` lists the ones in the way. */
export const lockSeats = (eventId: number, seatIds: number[]) =>
  api.post<SeatsAnswer>(`/api/events/${eventId}/lock/`, { seat_ids: seatIds });
