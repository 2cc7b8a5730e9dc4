import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';
import { queueTurnHeaders } from '../../../lib/queue-turn';

type Schemas = components['schemas'];

/** `turn`: the waiting room's turn token, when the event has one (API.md "Waiting room"). */
export const lockSeat = (eventId: number, seatId: number, turn?: string | null) =>
  api.post<Schemas['SeatActionLock']>(`/api/events/${eventId}/seats/${seatId}/lock/`, {}, { headers: queueTurnHeaders(turn) });

export const unlockSeat = (eventId: number, seatId: number) =>
  api.post<Schemas['SeatActionUnlock']>(`/api/events/${eventId}/seats/${seatId}/unlock/`, {});

/** Where the buyer's run of holds of the event stands (API.md "Rules"). */
export const fetchHoldRun = (eventId: number) => api.get<Schemas['HoldRunOutput']>(`/api/events/${eventId}/holds/run/`);

/** More time on a hold (issue 13); 409 `hold_cap_reached` at SEAT_HOLD_MAX_SECONDS. */
export const extendSeat = (eventId: number, seatId: number) =>
  api.post<Schemas['SeatActionExtend']>(`/api/events/${eventId}/seats/${seatId}/extend/`, {});

/** Books the seats at `total`, what the buyer was shown: 409 `price_changed` if they cost more or less now. */
export const reserveSeats = (eventId: number, seatIds: number[], idempotencyKey: string, total?: string) =>
  api.post<Schemas['ReservationCreated']>(
    `/api/events/${eventId}/reserve/`,
    total === undefined ? { seat_ids: seatIds } : { seat_ids: seatIds, total },
    { headers: { 'Idempotency-Key': idempotencyKey } },
  );

export type SeatsAnswer = Schemas['SeatsLock'];

/** Several seats at once, all or none; on 409 the error's `seats` lists the ones in the way. */
export const lockSeats = (eventId: number, seatIds: number[], turn?: string | null) =>
  api.post<SeatsAnswer>(`/api/events/${eventId}/lock/`, { seat_ids: seatIds }, { headers: queueTurnHeaders(turn) });
