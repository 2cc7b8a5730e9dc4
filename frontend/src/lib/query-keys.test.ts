import { describe, expect, it } from 'vitest';
import { queryKeys } from './query-keys';

const begins = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((part, i) => key[i] === part);

describe('queryKeys', () => {
  it("nests an event's documents under the event, and every event under the list", () => {
    for (const key of [queryKeys.seatPlan(7), queryKeys.seatStates(7), queryKeys.ownHolds(7), queryKeys.queue(7)]) {
      expect(begins(key, queryKeys.event(7))).toBe(true);
      expect(begins(key, queryKeys.event(8))).toBe(false);
    }
    expect(begins(queryKeys.event(7), queryKeys.events)).toBe(true);
  });

  it('keeps who is logged in and the reservations apart from the events', () => {
    expect(begins(queryKeys.me, queryKeys.events)).toBe(false);
    expect(begins(queryKeys.reservations, queryKeys.events)).toBe(false);
  });
});
