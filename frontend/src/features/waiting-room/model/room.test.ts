import { describe, expect, it } from 'vitest';
import type { QueuePlace, QueueStateName } from '../api/queue';
import { isCalled, mergeQueue, shouldClaim, shouldJoin, showsMap } from './room';
import { place, placeFrame, queueFrame, queueStatus } from '../../../test/waitingRoom';

const turn = { token: 't1', expires_at: '2026-12-01T10:13:00Z', extended: false };

describe('mergeQueue', () => {
  it('takes the newer of the read and the frame', () => {
    const read = queueStatus({ serving: 100, at: '2026-12-01T10:03:00Z' });
    expect(mergeQueue(read, queueFrame({ serving: 200, at: '2026-12-01T10:03:05Z' }), null)?.queue.serving).toBe(200);
    expect(mergeQueue(read, queueFrame({ serving: 50, at: '2026-12-01T10:02:55Z' }), null)?.queue.serving).toBe(100);
    expect(mergeQueue(undefined, queueFrame({ serving: 7 }), null)).toMatchObject({ queue: { serving: 7 }, place: null });
    expect(mergeQueue(undefined, null, null)).toBeNull();
    expect(mergeQueue(read, null, null)?.queue).not.toHaveProperty('place');
    expect(mergeQueue(undefined, queueFrame(), null)?.queue).not.toHaveProperty('type');
  });

  it('numbers the place when the draw does, as the socket tells it', () => {
    const read = queueStatus({ state: 'pre_queue', drawn: false }, place({ number: null }));
    expect(mergeQueue(read, null, placeFrame({ number: 77 }))?.place?.number).toBe(77);
    // another account's place never lands here; nor does a frame from another event
    expect(mergeQueue(read, null, placeFrame({ entry_id: 'other', number: 77 }))?.place?.number).toBeNull();
    expect(mergeQueue(read, null, placeFrame({ event_id: 2, number: 77 }))?.place?.number).toBeNull();
  });

  it('learns a place taken in another tab from the socket', () => {
    expect(mergeQueue(queueStatus({}, null), null, placeFrame({ number: 9 }))?.place).toEqual(place({ number: 9 }));
  });
});

describe('isCalled', () => {
  it('is the server saying so, or serving reaching the number', () => {
    expect(isCalled({ queue: queueStatus({ serving: 4320 }), place: place() })).toBe(false);
    expect(isCalled({ queue: queueStatus({ serving: 4321 }), place: place() })).toBe(true);
    expect(isCalled({ queue: queueStatus({ serving: 0 }), place: place({ called: true }) })).toBe(true);
    expect(isCalled({ queue: queueStatus({ serving: 99_999 }), place: place({ number: null }) })).toBe(false);
  });
});

describe('shouldJoin', () => {
  const view = (state: QueueStateName, own: QueuePlace | null = place()) => mergeQueue(queueStatus({ state }, own), null, null);

  it('takes a place once the room is open, logged in, when none is held', () => {
    expect(shouldJoin(view('pre_queue', null), true, null)).toBe(true);
    expect(shouldJoin(view('admitting', null), true, null)).toBe(true);
    expect(shouldJoin(view('pre_queue', null), false, null)).toBe(false);
    expect(shouldJoin(view('pre_queue'), true, null)).toBe(false);
    expect(shouldJoin(view('scheduled', null), true, null)).toBe(false);
    expect(shouldJoin(view('sold_out', null), true, null)).toBe(false);
  });

  it('after a refusal, tries again only in another state', () => {
    const failed = { code: 'queue_not_open', under: 'pre_queue' };
    expect(shouldJoin(view('pre_queue', null), true, failed)).toBe(false);
    expect(shouldJoin(view('admitting', null), true, failed)).toBe(true);
  });
});

describe('shouldClaim', () => {
  const called = mergeQueue(queueStatus({ serving: 5000 }), null, null);

  it('claims a called number that has no turn yet', () => {
    expect(shouldClaim(called, null, false)).toBe(true);
    expect(shouldClaim(mergeQueue(queueStatus({ serving: 10 }), null, null), null, false)).toBe(false);
    expect(shouldClaim(mergeQueue(queueStatus({ serving: 5000 }, place({ turn })), null, null), null, false)).toBe(false);
    expect(shouldClaim(mergeQueue(queueStatus({ serving: 5000, state: 'sold_out' }), null, null), null, false)).toBe(false);
  });

  it('never claims again on its own once a turn ended on this page', () => {
    expect(shouldClaim(called, null, true)).toBe(false);
  });

  it('tries again with the next frame after "not your turn", never after a lapse', () => {
    const notYet = { code: 'not_your_turn', under: called!.queue.at };
    expect(shouldClaim(called, notYet, false)).toBe(false);
    const later = mergeQueue(queueStatus({ serving: 5001, at: '2026-12-01T10:03:17Z' }), null, null);
    expect(shouldClaim(later, notYet, false)).toBe(true);
    expect(shouldClaim(later, { code: 'turn_lapsed', under: called!.queue.at }, false)).toBe(false);
  });
});

describe('showsMap', () => {
  it('shows the map without a waiting room, or during a turn', () => {
    expect(showsMap(false, null)).toBe(true);
    expect(showsMap(true, null)).toBe(false);
    expect(showsMap(true, mergeQueue(queueStatus(), null, null))).toBe(false);
    expect(showsMap(true, mergeQueue(queueStatus({}, place({ turn })), null, null))).toBe(true);
  });
});
