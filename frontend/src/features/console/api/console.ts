/** The organiser's console over HTTP (docs/API.md "The organiser's console"), typed from the schema. */
import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';

type Schemas = components['schemas'];
export type SaleFigures = Schemas['SaleOutput'];
export type OffSaleSeat = Schemas['OffSaleSeatOutput'];
export type KeepBody = Schemas['KeepInput'];
export type BoxOfficeBody = Schemas['BoxOfficeInput'];
export type Booking = Schemas['BookingOutput'];
/** A ledger entry of a booking's seats; `from` is in the JSON, not in the schema (a Python keyword there). */
export type BookingChange = Schemas['Change'] & { from: string };
export type BookingStory = Omit<Schemas['BookingStoryOutput'], 'history'> & { history: BookingChange[] };
export type BookingChangeAnswer = Schemas['BookingChangeOutput'];
export type Limits = Schemas['LimitsOutput'];

const staffEvent = (eventId: number) => `/api/staff/events/${eventId}`;

/** The event's sales, payments or ledger as the admin exports them (docs/LEDGER.md "Exports"). */
export const exportPath = (eventId: number, what: 'sales' | 'payments' | 'ledger', type: 'csv' | 'xlsx') => `${staffEvent(eventId)}/export/${what}.${type}`;
export const fetchExport = (path: string) => api.getBlob(path);

export const fetchSale = (eventId: number) => api.get<SaleFigures>(`${staffEvent(eventId)}/sale/`);

export const fetchOffSale = (eventId: number) => api.get<OffSaleSeat[]>(`${staffEvent(eventId)}/off-sale/`);

export const takeOffSale = (eventId: number, body: KeepBody) =>
  api.post<Schemas['OffSaleChangeOutput']>(`${staffEvent(eventId)}/off-sale/take/`, body);

export const releaseSeats = (eventId: number, seatIds: number[], at: string | null) =>
  api.post<Schemas['OffSaleChangeOutput']>(`${staffEvent(eventId)}/off-sale/release/`, { seat_ids: seatIds, at });

export const sellAtBoxOffice = (eventId: number, body: BoxOfficeBody) =>
  api.post<Schemas['BoxOfficeOutput']>(`${staffEvent(eventId)}/box-office/`, body);

/** The first page of an event's bookings, newest first, found by `search` (paged-list.ts reads on). */
export function bookingsPath(eventId: number, search: string): string {
  const query = search.trim() ? `?${new URLSearchParams({ search: search.trim() }).toString()}` : '';
  return `${staffEvent(eventId)}/bookings/${query}`;
}

export const fetchBooking = (reservationId: number) => api.get<BookingStory>(`/api/staff/reservations/${reservationId}/`);

export const reseatBooking = (reservationId: number, moves: [number, number][], reason: string) =>
  api.post<BookingChangeAnswer>(`/api/staff/reservations/${reservationId}/reseat/`, { moves, reason });

export const refundBooking = (reservationId: number, body: { seat_ids: number[] | null; refunded: string; reason: string }) =>
  api.post<BookingChangeAnswer>(`/api/staff/reservations/${reservationId}/refund/`, body);

/** An order paid at the venue, settled by the staff who took the money (API.md "Paying"). */
export const settleBooking = (reservationId: number, body: { amount: string; reference: string }) =>
  api.post<BookingStory>(`/api/staff/reservations/${reservationId}/paid/`, body);

export const fetchLimits = (eventId: number) => api.get<Limits>(`${staffEvent(eventId)}/limits/`);

/** The event's rules for buyers that a Manager changes; a field left out stays as it is. */
export type LimitsBody = { purchase_limit?: number | null; holds_need_verified_email?: boolean; holds_limited_per_network?: boolean };

export const setLimits = (eventId: number, body: LimitsBody) => api.request<Limits>('PATCH', `${staffEvent(eventId)}/limits/`, { body });
