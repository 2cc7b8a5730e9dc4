/**
 * What a click on a seat and a press on Reserve do, apart from any component: call the API,
 * feed the answer to the store, and say in one sentence what happened.
 */
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import { errorMessage, holdAgainText } from '../../../lib/error-messages';
import { formatClockTime } from '../../../lib/format';
import { turnRefusal, type TurnRefusal } from '../../../lib/queue-turn';
import { summariseBasket } from './basket';
import { heldByOtherText } from './messages';
import { pastLimitText, type BuyerState } from './limits';
import { seatKind, type ApiSeat, type SeatStore } from '../../seat-map';

export interface Outcome {
  kind: 'ok' | 'error' | 'info' | 'login';
  text: string;
  /** The seat list should be read again (our idea of what is ours may be off). */
  refetch?: boolean;
  /** The map should be read again: the organiser changed prices (`price_changed`). */
  refetchPrices?: boolean;
  /** Reservation made, for the page to link to. */
  reservationId?: number;
  /** The buyer's run of holds and state should be read again: a hold was refused for its cap or a limit. */
  refetchRun?: boolean;
  /** The waiting room's turn is not good any more (403 `queue_turn_*`, which one): back to the waiting room. */
  turnLost?: TurnRefusal;
  /** The seat a click on the map was about (its tooltip tells a refusal); none for the basket's. */
  seatId?: number;
}

export interface SeatApi {
  lock(eventId: number, seatId: number): Promise<{ seat: ApiSeat }>;
  unlock(eventId: number, seatId: number): Promise<{ seat: ApiSeat }>;
  extend(eventId: number, seatId: number): Promise<{ seat: ApiSeat }>;
  reserve(
    eventId: number,
    seatIds: number[],
    idempotencyKey: string,
    total?: string,
  ): Promise<{
    reservation: {
      id: number;
      status: string;
      seats: { id: number; label: string }[];
      total_price: string;
      pay_by: string | null;
    };
  }>;
}

export interface ActionContext {
  eventId: number;
  store: SeatStore;
  api: SeatApi;
  /** undefined: not known yet (the page is still asking): the server's answer says. */
  loggedIn: boolean | undefined;
  newKey: () => string;
  /** How amounts read (the event's currency); as the API gives them by default. */
  money?: (amount: string) => string;
  /** What the buyer holds, has booked and may still take of the event (`holds/run/`), once read. */
  buyer?: BuyerState;
  /** The server's clock (epoch ms), which holds' ends are on; this machine's when not given. */
  now?: () => number;
  /** While the buyer may not hold (the cooldown after their run of holds reached its cap, as read): when they may again. */
  holdAgainAt?: number | null;
}

/** Refusals after which the page reads the buyer's own seats and state again: the server counted
 * more than they said (holds or bookings made since, in another tab, which the socket cannot tell). */
const COUNTED_BY_THE_SERVER = new Set(['hold_limit', 'purchase_limit']);

function failure(error: unknown, ctx: ActionContext, seat?: string): Outcome {
  if (error instanceof ApiError && error.code === 'not_authenticated') {
    return { kind: 'login', text: 'Your session has ended. Log in to hold seats.' };
  }
  const lost = turnRefusal(error);
  if (lost) return { kind: 'error', text: errorMessage(error), turnLost: lost };
  return { kind: 'error', text: errorMessage(error, { seat, seatLabel: (id) => ctx.store.label(id) }) };
}

/** Click on a seat: hold it, release it, or say why neither is possible. */
export async function toggleSeat(ctx: ActionContext, seatId: number): Promise<Outcome | null> {
  const { store, api, eventId } = ctx;
  const seat = store.getSeat(seatId);
  if (!seat || seat.busy) return null;
  const kind = seatKind(seat);
  if (kind === 'booked-mine') {
    return { kind: 'info', text: `You have booked ${seat.label}. To give it back, cancel it in My reservations.` };
  }
  if (kind === 'paying-mine') {
    return { kind: 'info', text: `${seat.label} is in your order awaiting payment: pay for it in My reservations.` };
  }
  if (kind === 'booked-other') return { kind: 'error', text: `Seat ${seat.label} is already booked.` };
  if (kind === 'paying-other') return { kind: 'error', text: `Seat ${seat.label} is being paid for by someone else.` };
  if (ctx.loggedIn === false) return { kind: 'login', text: 'Log in to hold seats.' };

  if (kind === 'held-mine') {
    store.beginAction(seatId, 'unlock');
    try {
      const answer = await api.unlock(eventId, seatId);
      store.applyOwnAnswer({ ...answer.seat, mine: answer.seat.mine ?? false });
      store.endAction(seatId, true);
      return { kind: 'ok', text: `Released ${seat.label}.` };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_holder') store.markNotMine(seatId);
      store.endAction(seatId, false);
      const refetch = error instanceof ApiError && error.code === 'not_holder';
      return { ...failure(error, ctx, seat.label), refetch };
    }
  }

  // Held by someone else, and the map knows until when: answered from the map, nothing asked.
  // (A hold whose time has passed may be gone already: that one is asked for.)
  const now = ctx.now?.() ?? Date.now();
  if (kind === 'held-other' && (seat.lockedUntil === null || seat.lockedUntil > now)) {
    return { kind: 'error', text: heldByOtherText(seat.label, seat.lockedUntil, now - Date.now()) };
  }

  // In the cooldown after the buyer's run of holds reached its cap: the server's own answer till
  // then (nothing the buyer does moves it), so say it and ask nothing.
  if (ctx.holdAgainAt != null && ctx.holdAgainAt > now) return { kind: 'error', text: holdAgainText(ctx.holdAgainAt) };

  // Past a limit as the server last counted: say so in words, and ask nothing.
  const past = ctx.buyer ? pastLimitText(1, ctx.buyer) : null;
  if (past) return { kind: 'error', text: past };

  // available, or held by someone else whose hold may have just lapsed: ask.
  store.beginAction(seatId, 'lock');
  try {
    const answer = await api.lock(eventId, seatId);
    store.applyOwnAnswer({ ...answer.seat, mine: answer.seat.mine ?? true });
    store.endAction(seatId, true);
    return { kind: 'ok', text: `Holding ${seat.label} for you.` };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'seat_unavailable') store.markNotMine(seatId);
    store.endAction(seatId, false);
    // At a limit the page did not know of: some seats were taken elsewhere (another tab), which
    // the socket cannot tell; the seat list and the buyer's state can.
    const refetch = error instanceof ApiError && COUNTED_BY_THE_SERVER.has(error.code);
    const refetchRun = refetch || (error instanceof ApiError && error.code === 'hold_cap_reached');
    return { ...failure(error, ctx, seat.label), ...(refetch ? { refetch } : {}), ...(refetchRun ? { refetchRun } : {}) };
  }
}

/** Reserve every seat held: one request, all or none, retried once with the same key if the answer was lost. */
export async function reserveHeld(ctx: ActionContext): Promise<Outcome> {
  const { store, api, eventId } = ctx;
  const held = store.getHeld();
  if (held.length === 0) return { kind: 'info', text: 'Pick at least one seat first.' };
  if (!ctx.loggedIn) return { kind: 'login', text: 'Log in to book seats.' };
  const ids = held.map((s) => s.id);
  // What the basket shows: the server books at this total or says the prices changed.
  const { total } = summariseBasket(held);
  const key = ctx.newKey();
  for (const id of ids) store.beginAction(id, 'reserve');
  try {
    let answer: Awaited<ReturnType<SeatApi['reserve']>>;
    try {
      answer = await api.reserve(eventId, ids, key, total);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === NETWORK_ERROR)) throw error;
      // The booking may have gone through: the same key returns the same answer, never a second booking.
      answer = await api.reserve(eventId, ids, key, total);
    }
    const order = answer.reservation;
    const awaiting = order.status === 'awaiting_payment';
    store.applyOwnReservation(
      order.seats.map((s) => s.id),
      awaiting ? 'paying' : 'reserved',
    );
    for (const id of ids) store.endAction(id, true);
    const labels = order.seats.map((s) => s.label).join(', ');
    const paid = (ctx.money ?? String)(order.total_price);
    return {
      kind: 'ok',
      text: awaiting
        ? `Ordered ${labels} (total ${paid}): pay by ${formatClockTime(Date.parse(order.pay_by ?? ''))} to keep them. Reservation #${order.id}.`
        : `Booked ${labels} (total ${paid}). Reservation #${order.id}.`,
      reservationId: order.id,
    };
  } catch (error) {
    for (const id of ids) store.endAction(id, false);
    if (error instanceof ApiError && error.code === 'lock_required') {
      for (const id of error.seatIds) store.markNotMine(id);
    }
    const repriced = error instanceof ApiError && error.code === 'price_changed';
    return { ...failure(error, ctx), refetch: true, ...(repriced ? { refetchPrices: true } : {}) };
  }
}

export interface ExtendResult {
  outcome: Outcome;
  /** Seats the server will not extend any more (`hold_cap_reached`): do not offer it again. */
  capped: number[];
}

/**
 * "Keep my seats": ask for more time on each seat (one request per seat, in parallel). Seats
 * at the hold cap are reported, seats no longer held are dropped from the basket.
 */
export async function extendHeld(ctx: ActionContext, seatIds: readonly number[]): Promise<ExtendResult> {
  const { store, api, eventId } = ctx;
  const ids = seatIds.filter((id) => {
    const seat = store.getSeat(id);
    return seat !== undefined && seat.status === 'locked' && seat.mine && !seat.busy;
  });
  if (ids.length === 0) return { outcome: { kind: 'info', text: 'You hold no seats to keep.' }, capped: [] };
  for (const id of ids) store.beginAction(id, 'extend');
  const results = await Promise.allSettled(ids.map((id) => api.extend(eventId, id)));
  const kept: number[] = [];
  const capped: number[] = [];
  const gone: number[] = [];
  let other: unknown = null;
  results.forEach((result, i) => {
    const id = ids[i];
    if (result.status === 'fulfilled') {
      store.applyOwnAnswer({ ...result.value.seat, mine: result.value.seat.mine ?? true });
      store.endAction(id, true);
      kept.push(id);
      return;
    }
    const error = result.reason;
    if (error instanceof ApiError && error.code === 'hold_cap_reached') capped.push(id);
    else if (error instanceof ApiError && error.code === 'not_holder') {
      store.markNotMine(id);
      gone.push(id);
    } else other ??= error;
    store.endAction(id, true); // the hold itself is unchanged by a refused extension
  });
  const names = (list: number[]) => list.map((id) => store.label(id) ?? `#${id}`).join(', ');
  const parts: string[] = [];
  if (kept.length > 0) parts.push(`Kept ${names(kept)} for you.`);
  if (capped.length > 0) parts.push(errorMessage(new ApiError(409, 'hold_cap_reached', ''), { seat: names(capped) }));
  if (gone.length > 0) parts.push(errorMessage(new ApiError(409, 'not_holder', ''), { seat: names(gone) }));
  if (other !== null) parts.push(failure(other, ctx).text);
  const kind = capped.length + gone.length === 0 && other === null ? 'ok' : 'error';
  return { outcome: { kind, text: parts.join(' '), ...(gone.length > 0 ? { refetch: true } : {}) }, capped };
}
