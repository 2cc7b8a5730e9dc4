import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { queueTurnHeaders, turnRefusal } from './queue-turn';

describe('queueTurnHeaders', () => {
  it('carries the token during a turn, nothing outside one', () => {
    expect(queueTurnHeaders('abc')).toEqual({ 'Queue-Turn': 'abc' });
    expect(queueTurnHeaders(null)).toEqual({});
    expect(queueTurnHeaders(undefined)).toEqual({});
  });
});

describe('turnRefusal', () => {
  it('knows the two 403s of a missing or ended turn', () => {
    expect(turnRefusal(new ApiError(403, 'queue_turn_required', ''))).toBe('queue_turn_required');
    expect(turnRefusal(new ApiError(403, 'csrf_failed', ''))).toBeNull();
    expect(turnRefusal(new Error('queue_turn_expired'))).toBeNull();
    expect(turnRefusal(new ApiError(403, 'queue_turn_expired', ''))).toBe('queue_turn_expired');
    expect(turnRefusal(new ApiError(409, 'seat_unavailable', ''))).toBeNull();
  });
});
