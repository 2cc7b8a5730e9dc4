import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { isTurnRefusal, queueTurnHeaders, turnRefusal } from './queue-turn';

describe('queueTurnHeaders', () => {
  it('carries the token during a turn, nothing outside one', () => {
    expect(queueTurnHeaders('abc')).toEqual({ 'Queue-Turn': 'abc' });
    expect(queueTurnHeaders(null)).toEqual({});
    expect(queueTurnHeaders(undefined)).toEqual({});
  });
});

describe('isTurnRefusal', () => {
  it('knows the two 403s of a missing or ended turn', () => {
    expect(isTurnRefusal(new ApiError(403, 'queue_turn_required', ''))).toBe(true);
    expect(isTurnRefusal(new ApiError(403, 'queue_turn_expired', ''))).toBe(true);
    expect(isTurnRefusal(new ApiError(403, 'csrf_failed', ''))).toBe(false);
    expect(isTurnRefusal(new Error('queue_turn_expired'))).toBe(false);
    expect(turnRefusal(new ApiError(403, 'queue_turn_expired', ''))).toBe('queue_turn_expired');
    expect(turnRefusal(new ApiError(409, 'seat_unavailable', ''))).toBeNull();
  });
});
