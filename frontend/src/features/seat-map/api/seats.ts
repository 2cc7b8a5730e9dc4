import { api } from '../../../lib/api';
import type { ApiSeat } from '../model/seatState';

export interface SeatList {
  event_id: number;
  seats: ApiSeat[];
}

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

export const fetchSeats = (eventId: number) => api.get<SeatList>(`/api/events/${eventId}/seats/`);

export const lockSeat = (eventId: number, seatId: number) =>
  api.post<SeatAnswer>(`/api/events/${eventId}/seats/${seatId}/lock/`, {});

export const unlockSeat = (eventId: number, seatId: number) =>
  api.post<SeatAnswer>(`/api/events/${eventId}/seats/${seatId}/unlock/`, {});

export const reserveSeats = (eventId: number, seatIds: number[], idempotencyKey: string) =>
  api.post<ReservationAnswer>(
    `/api/events/${eventId}/reserve/`,
    { seat_ids: seatIds },
    { headers: { 'Idempotency-Key': idempotencyKey } },
  );
