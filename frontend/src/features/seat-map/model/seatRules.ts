/**
 * The rules by which a seat's live state changes (the store applies them, model/seatStore.ts).
 *
 * 1. A change is applied only when its `version` is higher than the one held (a socket message)
 *    or at least as high (an authoritative answer, which may add `mine` to a state we already
 *    have from the socket). A late message never turns a seat back.
 * 2. `mine` after a pushed change:
 *    - `available`: not mine.
 *    - `locked`: mine only while this user's own lock request on that seat is in flight
 *      (the push can overtake the HTTP answer); such a guess is marked tentative and is
 *      confirmed by the answer or undone by a failure.
 *    - `reserved` or `paying`: mine when this user's own reserve is in flight (tentative, as above), or when
 *      the seat was this user's (held, or paying) and this is the very next change (`version + 1`):
 *      only the holder of a lock can book it, and a lapsed lock must first be re-locked by
 *      someone else, which is a change of its own.
 *    - either, when this user's holds (`holds/`) name the seat with that very `locked_until`,
 *      or their bookings name it: the page learnt it is theirs before the push came.
 *    Anything else pushed is someone else's.
 * 3. After a successful reserve (whose answer carries no versions) each booked seat is
 *    `reserved`, mine, at the version of this user's lock plus one: the booking is that seat's
 *    next change.
 * 4. A lock whose `locked_until` has passed is shown available at once; the sweeper's push
 *    (version + 1) follows within seconds.
 */
import type { OwnHint } from './ownHints';
import { inAnOrder, parseInstant, type PushedSeat, type SeatLive } from './seat';

export type OwnAction = 'lock' | 'unlock' | 'reserve' | 'extend';

function sameLive(a: SeatLive, b: SeatLive): boolean {
  return a.status === b.status && a.version === b.version && a.lockedUntil === b.lockedUntil && a.mine === b.mine;
}

/** Rule 1 for authoritative answers. Returns the new state, or null to keep the current one. */
export function mergeAuthoritative(current: SeatLive | undefined, incoming: SeatLive): SeatLive | null {
  if (current && incoming.version < current.version) return null;
  if (current && sameLive(current, incoming)) return null;
  return incoming;
}

/** Rules 1 and 2 for a socket change. `pending` is this user's in-flight action on the seat. */
export function mergePushed(
  current: SeatLive | undefined,
  change: PushedSeat,
  pending: OwnAction | undefined,
  known?: OwnHint,
): { next: SeatLive; tentative: boolean } | null {
  if (current && change.version <= current.version) return null;
  let mine = false;
  let tentative = false;
  if (change.status === 'locked') {
    // An extension of this user's hold is pushed as a new version of the same lock.
    mine = pending === 'lock' || (pending === 'extend' && current?.mine === true);
    tentative = mine;
    if (!mine && known?.holdUntil !== undefined && known.holdUntil === parseInstant(change.locked_until)) mine = true;
  } else if (inAnOrder(change.status)) {
    // Booked, or paying then booked once paid: the next change of a seat that was this user's.
    const bookedOwnLock =
      current !== undefined && current.mine && current.status !== 'available' && change.version === current.version + 1;
    if (bookedOwnLock || known?.booked) mine = true;
    else if (pending === 'reserve') {
      mine = true;
      tentative = true;
    }
  }
  return {
    next: {
      status: change.status,
      version: change.version,
      lockedUntil: change.status === 'locked' ? parseInstant(change.locked_until) : null,
      mine,
    },
    tentative,
  };
}

/** Rule 4: the state the clock says, or null when nothing lapsed. */
export function expireIfDue(current: SeatLive, now: number): SeatLive | null {
  if (current.status !== 'locked' || current.lockedUntil === null || current.lockedUntil > now) return null;
  return { status: 'available', version: current.version, lockedUntil: null, mine: false };
}
