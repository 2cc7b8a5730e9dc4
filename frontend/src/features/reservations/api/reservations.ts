import { api } from '../../../lib/api';

export interface ReservationSeat {
  id: number;
  label: string;
  price: string;
}

export interface Reservation {
  id: number;
  status: 'confirmed' | 'cancelled';
  created_at: string;
  event: { id: number; name: string; starts_at: string };
  seats: ReservationSeat[];
  total_price: string;
}

export const cancelReservation = (id: number) =>
  api.post<{ success: boolean; message: string; reservation: Reservation }>(`/api/reservations/${id}/cancel/`);
