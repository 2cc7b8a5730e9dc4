import { ApiError, NETWORK_ERROR } from './api-client';
import { closePolicy, type CloseReason } from './close-codes';
import { formatClockTime } from './format';

/** What the person was doing, so the message can name it. */
export interface ErrorContext {
  /** Label of the seat the action was about ("A1"). */
  seat?: string;
  /** Turns seat ids from an error's `seats` list into labels. */
  seatLabel?: (id: number) => string | undefined;
}

function seatsNamed(error: ApiError, context: ErrorContext): string | null {
  const labels = error.seatIds.map((id) => context.seatLabel?.(id) ?? `#${id}`);
  if (labels.length > 0) return labels.join(', ');
  return context.seat ?? null;
}

/**
 * Why the buyer may not hold seats of the event just now, and when they may again, on their own
 * clock (API.md "Rules": the cooldown after a run of holds reached its cap): the 409's words and
 * the basket's, one sentence.
 */
export function holdAgainText(at: number | Date): string {
  return `You have had seats of this event on hold for as long as one visit may. You can hold seats again from ${formatClockTime(at)}; until then they stay free for others.`;
}

/**
 * One readable sentence for each error code of API.md. The server's own `error` text is used
 * where it is the best one can say (validation details), never for a bug (500).
 */
export function errorMessage(error: unknown, context: ErrorContext = {}): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const seat = context.seat ? `Seat ${context.seat}` : 'That seat';
  switch (error.code) {
    case 'invalid':
      return error.message && error.message !== 'Bad Request'
        ? error.message
        : 'Some of what was sent is not valid. Please check it and try again.';
    case 'not_authenticated':
      return 'Please log in to continue.';
    case 'invalid_credentials':
      return 'Wrong username or password.';
    case 'csrf_failed':
      return 'Your session has expired. Please reload the page and try again.';
    case 'not_found':
      return context.seat ? `${seat} is not part of this event.` : 'Not found: it may have been removed.';
    case 'method_not_allowed':
      return 'That action is not possible here.';
    case 'seat_unavailable': {
      const named = seatsNamed(error, context);
      return named
        ? `Someone else got there first: ${named} is held or booked by another customer.`
        : 'Someone else got there first: that seat is held or booked by another customer.';
    }
    case 'hold_limit':
      return "You've reached the limit of seats you can hold for this event. Reserve or release some first.";
    case 'purchase_limit': {
      const { limit, held, booked } = error.details;
      if (typeof limit !== 'number') return 'You have as many seats of this event as one buyer may have, held and booked together.';
      const yours = [
        typeof held === 'number' && held > 0 ? `hold ${held}` : '',
        typeof booked === 'number' && booked > 0 ? `have booked ${booked}` : '',
      ].filter(Boolean);
      return `One buyer may have at most ${limit} seats of this event, held and booked together${yours.length > 0 ? `: you ${yours.join(' and ')}` : ''}.`;
    }
    case 'not_holder':
      return `${seat} is no longer held by you: the hold had already ended.`;
    case 'hold_cap_reached': {
      // A lock refused in the cooldown after a visit's holds ran out (API.md "Rules"): when, in
      // the buyer's own clock, not a fault with the seat.
      const again = typeof error.details.hold_again_at === 'string' ? new Date(error.details.hold_again_at) : null;
      if (again && !Number.isNaN(again.getTime())) return holdAgainText(again);
      return context.seat
        ? `${context.seat.includes(',') ? 'Seats' : 'Seat'} ${context.seat} can't be held any longer. Reserve now if you still hold it; otherwise it is open to others, and to you again a few minutes after your hold ended.`
        : "These seats can't be held any longer. Reserve now if you still hold them; otherwise they are open to others, and to you again a few minutes after your hold ended.";
    }
    // Holds per network (API.md "Holds per network"): the other accounts on the buyer's network.
    case 'address_hold_limit':
      return `At most ${typeof error.details.limit === 'number' ? error.details.limit : 'so many'} seats of this event can be on hold at once from one network, and others on your network hold that many now. You can hold seats again as theirs are booked or let go.`;
    case 'seat_pass_refused': {
      const named = seatsNamed(error, context) ?? 'That seat';
      const again = typeof error.details.hold_again_at === 'string' ? new Date(error.details.hold_again_at) : null;
      const when = again && !Number.isNaN(again.getTime()) ? ` You can hold it from ${formatClockTime(again)} if it is still free.` : '';
      return `${named} was just let go by another account on your network, so it goes back on sale for other buyers first.${when} Every other free seat is yours to pick.`;
    }
    case 'price_changed':
      return 'The price of seats you hold changed while you held them. The new prices are shown now: check the total and press Reserve again.';
    case 'lock_required': {
      const named = seatsNamed(error, context);
      return named
        ? `Your hold on ${named} expired before the booking went through. Pick the seats again.`
        : 'Your hold expired before the booking went through. Pick the seats again.';
    }
    case 'already_cancelled':
      return 'This reservation was already cancelled.';
    case 'idempotency_mismatch':
      return 'This booking clashed with an earlier attempt. Please press Reserve again.';
    case 'too_large':
      return 'That request is too large. Try with fewer seats.';
    case 'throttled':
      return error.retryAfterSeconds !== null
        ? `Too many requests. Please wait ${error.retryAfterSeconds} s and try again.`
        : 'Too many requests. Please wait a moment and try again.';
    case 'server_error':
      return 'Something went wrong on our side. Please try again.';
    case 'unavailable':
      return 'The booking service is unavailable right now. Please try again shortly.';
    // The waiting room (API.md "Waiting room").
    case 'queue_turn_required':
      return 'Holding seats needs your turn from the waiting room, and this page has no good pass for it now.';
    case 'queue_turn_expired':
      return 'Your turn has ended, so no more seats can be held. You can still book the seats you hold.';
    case 'no_queue':
      return 'This event has no waiting room.';
    case 'not_in_queue':
      return 'You have no place in the waiting room yet.';
    case 'queue_not_open':
      return 'The waiting room is not open yet.';
    case 'sold_out':
      return 'Sold out: every seat has been booked.';
    case 'not_your_turn':
      return 'Your number has not been called yet.';
    case 'turn_lapsed':
      return 'Your turn lapsed: it was not taken up in time, so the next numbers were called.';
    case 'turn_extended':
      return 'Your turn has already been made longer once.';
    case NETWORK_ERROR:
      return "Can't reach the server. Check your connection and try again.";
    default:
      return error.message || 'Something went wrong. Please try again.';
  }
}

const CLOSE_REASONS: Record<CloseReason, string> = {
  'event-not-found': 'Event not found: it may have been removed.',
  'too-slow': 'The connection was too slow to keep up.',
  'too-many': 'Too many connections or messages from this network. Trying again shortly.',
  'feed-broke': 'Live updates stopped on our side.',
  'frame-too-big': 'A message was too large for the server.',
  'keepalive-lost': 'The connection stopped answering.',
};

/** Why the live socket closed, in one sentence; null for an ordinary drop ("Reconnecting…" says enough). */
export function closeMessage(code: number | null | undefined): string | null {
  const { reason } = closePolicy(code);
  return reason && CLOSE_REASONS[reason];
}
