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

  it("keeps the buyer's run of holds beside their holds: reading those again does not read it", () => {
    expect(begins(queryKeys.holdRun(7), queryKeys.event(7))).toBe(true);
    expect(begins(queryKeys.holdRun(7), queryKeys.ownHolds(7))).toBe(false);
  });

  it('keeps who is logged in and the reservations apart from the events', () => {
    expect(begins(queryKeys.me, queryKeys.events)).toBe(false);
    expect(begins(queryKeys.reservations, queryKeys.events)).toBe(false);
    expect(begins(queryKeys.reservation(7), queryKeys.reservations)).toBe(true);
    expect(begins(queryKeys.reservation(7), queryKeys.events)).toBe(false);
  });

  it("nests the console's reads of an event under it, every search of its bookings under one prefix", () => {
    for (const key of [queryKeys.saleFigures(7), queryKeys.doorCounts(7), queryKeys.offSale(7), queryKeys.limits(7), queryKeys.staffBookings(7, 'ann')]) {
      expect(begins(key, queryKeys.staff(7))).toBe(true);
      expect(begins(key, queryKeys.staff(8))).toBe(false);
    }
    expect(begins(queryKeys.staffBookings(7, 'ann'), queryKeys.staffBookings(7))).toBe(true);
    expect(begins(queryKeys.staff(7), queryKeys.events)).toBe(false);
  });
});
