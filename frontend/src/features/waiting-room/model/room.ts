/**
 * The waiting room's flow, apart from React: what the buyer's page knows (the last HTTP read and
 * the socket's newest frames, put together), and what it should do next (take a place, claim
 * the turn) or show (the room, or the map during a turn).
 */
import type { PlaceFrame, QueueFrame } from '../../../lib/protocol-types';
import type { QueuePlace, QueuePublicState, QueueStatus } from '../api/queue';

export interface QueueView {
  queue: QueuePublicState;
  /** The buyer's place; null when logged out or not joined yet. */
  place: QueuePlace | null;
}

/** A call that failed: its error code, and what it failed under (a retry waits for that to change). */
export interface FailedCall {
  code: string;
  under: string;
}

function instant(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? -Infinity : ms;
}

function withoutType(frame: QueueFrame): QueuePublicState {
  const { type: _type, ...state } = frame;
  return state;
}

/**
 * The newer of the HTTP read and the socket's last `queue` frame (by `at`, the frame on a tie,
 * since it came later), and the place: the HTTP one, numbered by a `place` frame when the draw
 * numbered it since (or made from that frame when another tab took the place).
 */
export function mergeQueue(read: QueueStatus | undefined, frame: QueueFrame | null, placeFrame: PlaceFrame | null): QueueView | null {
  if (!read && !frame) return null;
  let queue: QueuePublicState;
  if (read && (!frame || instant(read.at) > instant(frame.at))) {
    const { place: _place, ...state } = read;
    queue = state;
  } else {
    queue = withoutType(frame!);
  }
  let place = read?.place ?? null;
  if (placeFrame && placeFrame.event_id === queue.event_id) {
    if (!place) {
      place = { entry_id: placeFrame.entry_id, number: placeFrame.number, late: placeFrame.late, called: false, claim_by: null, turn: null };
    } else if (place.entry_id === placeFrame.entry_id && place.number === null && placeFrame.number !== null) {
      place = { ...place, number: placeFrame.number, late: placeFrame.late };
    }
  }
  return { queue, place };
}

/** The buyer's number has been called (by the server's word, or by `serving` reaching it). */
export function isCalled(view: QueueView): boolean {
  const place = view.place;
  if (!place || place.number === null) return false;
  return place.called || view.queue.serving >= place.number;
}

/** Take a place: logged in, none yet, the room open; after a refusal, only once its state changed. */
export function shouldJoin(view: QueueView | null, loggedIn: boolean, failed: FailedCall | null): boolean {
  if (!loggedIn || !view || view.place) return false;
  const { state } = view.queue;
  if (state === 'scheduled' || state === 'sold_out') return false;
  return !failed || failed.under !== state;
}

/** Refusals of a claim that no later frame can change. */
const FINAL_CLAIM_REFUSALS = new Set(['turn_lapsed', 'no_queue']);

/**
 * Claim the turn: called, no turn yet, and none ended on this page (a turn once over is not
 * claimed again behind the buyer's back). A refused claim is tried again with the next frame
 * (`not_your_turn`: the server has not called it yet), unless nothing can change the answer.
 */
export function shouldClaim(view: QueueView | null, failed: FailedCall | null, turnEnded: boolean): boolean {
  if (!view?.place || view.place.turn || turnEnded) return false;
  if (view.queue.state === 'sold_out' || !isCalled(view)) return false;
  if (!failed) return true;
  return !FINAL_CLAIM_REFUSALS.has(failed.code) && failed.under !== view.queue.at;
}

/** The map is shown when the event has no waiting room, or during the buyer's turn. */
export function showsMap(queued: boolean, view: QueueView | null): boolean {
  return !queued || Boolean(view?.place?.turn);
}

/** The HTTP read with the buyer's place as it now stands (joined, claimed, extended, ended). */
export function withPlace(status: QueueStatus, place: QueuePlace | null): QueueStatus {
  return { ...status, place };
}
