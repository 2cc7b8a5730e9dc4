import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';

export type Reservation = components['schemas']['ReservationOutput'];

export const cancelReservation = (id: number) =>
  api.post<components['schemas']['ReservationCancelled']>(`/api/reservations/${id}/cancel/`);
