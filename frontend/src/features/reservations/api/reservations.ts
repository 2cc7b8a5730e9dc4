import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';
import { calendarPath } from '../model/booking';

export type Reservation = components['schemas']['ReservationOutput'];
export type ReservedSeat = Reservation['seats'][number];

export const fetchReservation = (id: number) => api.get<Reservation>(`/api/reservations/${id}/`);

/** The booking's calendar file (RFC 5545), as text. */
export const fetchReservationCalendar = (id: number) => api.getText(calendarPath(id));

export type Ticket = components['schemas']['TicketOutput'];

/** A confirmed booking's tickets, a signed code and its QR code a seat (API.md "Tickets"). */
export const fetchTickets = (id: number) => api.get<components['schemas']['TicketsOutput']>(`/api/reservations/${id}/tickets/`);

/** Where the buyer of an order awaiting payment pays (API.md "Paying"). */
export const payReservation = (id: number) => api.post<components['schemas']['PayOutput']>(`/api/reservations/${id}/pay/`);

export const cancelReservation = (id: number) =>
  api.post<components['schemas']['ReservationCancelled']>(`/api/reservations/${id}/cancel/`);
