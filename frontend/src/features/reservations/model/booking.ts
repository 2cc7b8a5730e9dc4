/**
 * How a booking reads to its buyer, the same on the confirmation page and in My reservations:
 * where each seat is, and where its page and calendar file are.
 */
import type { ReservedSeat } from '../api/reservations';

/** "Floor · Row A · Seat A1"; a part the room does not name (a grid's empty section) is left out. */
export function seatWhere(seat: Pick<ReservedSeat, 'section' | 'row' | 'label'>): string {
  return [seat.section, seat.row && `Row ${seat.row}`, `Seat ${seat.label}`].filter(Boolean).join(' · ');
}

/** What a booking's state reads as: its badge, and its page's heading. */
export const STATUS_TEXT: Record<string, { badge: string; heading: string }> = {
  confirmed: { badge: 'Confirmed', heading: 'Your booking is confirmed' },
  awaiting_payment: { badge: 'Awaiting payment', heading: 'Pay to keep your seats' },
  cancelled: { badge: 'Cancelled', heading: 'This booking is cancelled' },
  expired: { badge: 'Expired unpaid', heading: 'This order was not paid in time' },
};

/** The booking's confirmation page (the app's route). */
export function reservationPath(id: number): string {
  return `/reservations/${id}`;
}

/** The booking's calendar file (API.md `GET /api/reservations/{id}/calendar.ics`). */
export function calendarPath(id: number): string {
  return `/api/reservations/${id}/calendar.ics`;
}

/** The name the downloaded calendar file is saved under, as the server's Content-Disposition names it. */
export function calendarFileName(id: number): string {
  return `reservation-${id}.ics`;
}

/** What the confirmation page may be told by the page that booked (the router's state). */
export interface BookedState {
  /** Something the buyer must still know after booking (their waiting-room turn ended). */
  notice?: string;
}

/** The router's state as the confirmation page reads it: anything else is no notice. */
export function bookedNotice(state: unknown): string | null {
  if (state && typeof state === 'object' && 'notice' in state && typeof state.notice === 'string') return state.notice;
  return null;
}
