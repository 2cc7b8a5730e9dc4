/**
 * Waiting room frames and answers for tests (PROTOCOL.md and API.md "Waiting room"), typed from
 * the protocol alone: shared code knows no feature, and the feature's own types match these.
 */
import type { PlaceFrame, QueueFrame } from '../lib/protocol-types';

interface QueuePlace {
  entry_id: string;
  number: number | null;
  late: boolean;
  called: boolean;
  claim_by: string | null;
  turn: { token: string; expires_at: string; extended: boolean } | null;
}

type QueueStatus = Omit<QueueFrame, 'type'> & { place: QueuePlace | null };

/** A `queue` frame of event 1 (PROTOCOL.md's example), changed by `patch`. */
export function queueFrame(patch: Partial<QueueFrame> = {}): QueueFrame {
  return {
    type: 'queue',
    event_id: 1,
    state: 'admitting',
    reason: '',
    opens_at: '2026-12-01T09:00:00Z',
    on_sale_at: '2026-12-01T10:00:00Z',
    drawn: true,
    entrants: 5000,
    joined: 5600,
    serving: 1234,
    rate: 120,
    show_share: 0.8,
    seats_per_order: 2.4,
    seats_left: 1104,
    holds_end_at: null,
    turn_seconds: 600,
    claim_seconds: 120,
    max_active: 500,
    commitment: '9f2c0d',
    randomness_source: '',
    generation: 1,
    reread: 0,
    at: '2026-12-01T10:03:12Z',
    ...patch,
  };
}

export function place(patch: Partial<QueuePlace> = {}): QueuePlace {
  return { entry_id: 'k7x2q9c4m1d8', number: 4321, late: false, called: false, claim_by: null, turn: null, ...patch };
}

/** What `GET queue/` answers: the frame's fields but `type`, and the place. */
export function queueStatus(patch: Partial<QueueFrame> = {}, own: QueuePlace | null = place()): QueueStatus {
  const { type: _type, ...state } = queueFrame(patch);
  return { ...state, place: own };
}

export function placeFrame(patch: Partial<PlaceFrame> = {}): PlaceFrame {
  return { type: 'place', event_id: 1, entry_id: 'k7x2q9c4m1d8', number: 4321, late: false, ...patch };
}
