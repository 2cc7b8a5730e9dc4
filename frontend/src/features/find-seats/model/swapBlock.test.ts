import { describe, expect, it, vi } from 'vitest';
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import { SeatStore, seatKind, type ApiSeat } from '../../seat-map';
import { takeAlternative, type SwapApi, type SwapContext } from './swapBlock';

const LATER = '2099-01-01T00:05:00Z';

function apiSeat(id: number, row: string, number: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `${row}${number}`, section: 'Stalls', row, number, price: '55.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

const held = (seat: ApiSeat): ApiSeat => ({ ...seat, status: 'locked', version: seat.version + 1, locked_until: LATER, mine: true });
const freed = (seat: ApiSeat): ApiSeat => ({ ...seat, status: 'available', version: seat.version + 2, locked_until: null, mine: false });

// Row F 8–10 is the found block (held), row G 4–6 the alternative (free).
const F = [apiSeat(1, 'F', 8), apiSeat(2, 'F', 9), apiSeat(3, 'F', 10)];
const G = [apiSeat(4, 'G', 4), apiSeat(5, 'G', 5), apiSeat(6, 'G', 6)];
const byId = new Map([...F, ...G].map((s) => [s.id, s]));

function context(api: Partial<SwapApi>): SwapContext {
  const store = new SeatStore();
  store.loadFromApi([...F.map(held), ...G]);
  const full: SwapApi = {
    unlock: vi.fn(async (_e: number, id: number) => ({ seat: freed(byId.get(id)!) })),
    lockMany: vi.fn(async (_e: number, ids: number[]) => ({ seats: ids.map((id) => ({ ...held(byId.get(id)!), version: 5 })) })),
    ...api,
  };
  return { eventId: 7, store, api: full };
}

const kinds = (ctx: SwapContext, ids: number[]) => ids.map((id) => seatKind(ctx.store.getSeat(id)!));

describe('takeAlternative', () => {
  it('releases the block and holds the alternative', async () => {
    const ctx = context({});
    const result = await takeAlternative(ctx, [1, 2, 3], [4, 5, 6]);
    expect(result).toEqual({ outcome: { kind: 'ok', text: 'Now holding Stalls, row G, seats 4–6 instead.' }, held: [4, 5, 6], swapped: true });
    expect(ctx.api.unlock).toHaveBeenCalledTimes(3);
    expect(ctx.api.lockMany).toHaveBeenCalledWith(7, [4, 5, 6]);
    expect(kinds(ctx, [1, 2, 3])).toEqual(['available', 'available', 'available']);
    expect(kinds(ctx, [4, 5, 6])).toEqual(['held-mine', 'held-mine', 'held-mine']);
    expect(ctx.store.getHeld().map((s) => s.id)).toEqual([4, 5, 6]);
    expect([1, 2, 3, 4, 5, 6].some((id) => ctx.store.getSeat(id)!.busy)).toBe(false);
  });

  it('keeps the seats the two blocks share', async () => {
    const ctx = context({});
    const result = await takeAlternative(ctx, [1, 2, 3], [2, 3, 4]);
    expect(result.swapped).toBe(true);
    expect(ctx.api.unlock).toHaveBeenCalledTimes(1);
    expect(ctx.api.unlock).toHaveBeenCalledWith(7, 1);
    expect(ctx.api.lockMany).toHaveBeenCalledWith(7, [2, 3, 4]);
  });

  it('when someone took the alternative, holds the block again and says so', async () => {
    let calls = 0;
    const ctx = context({
      lockMany: vi.fn(async (_e: number, ids: number[]) => {
        calls += 1;
        if (calls === 1) throw new ApiError(409, 'seat_unavailable', 'Seat G5 is already held', { seats: [5] });
        return { seats: ids.map((id) => ({ ...held(byId.get(id)!), version: 9 })) };
      }),
    });
    const result = await takeAlternative(ctx, [1, 2, 3], [4, 5, 6]);
    expect(result).toEqual({
      outcome: {
        kind: 'error',
        text: 'Someone else took Stalls, row G, seats 4–6 a moment ago. You still hold Stalls, row F, seats 8–10.',
        refetch: true,
      },
      held: [1, 2, 3],
      swapped: false,
    });
    expect(ctx.api.lockMany).toHaveBeenLastCalledWith(7, [1, 2, 3]);
    expect(kinds(ctx, [1, 2, 3])).toEqual(['held-mine', 'held-mine', 'held-mine']);
    expect(kinds(ctx, [4, 5, 6])).toEqual(['available', 'available', 'available']); // the push says who has G5
  });

  it('when the block went too, says the buyer holds none of it', async () => {
    const ctx = context({
      lockMany: vi.fn(async (_e: number, ids: number[]) => {
        throw new ApiError(409, 'seat_unavailable', 'taken', { seats: [ids[0]] });
      }),
    });
    const result = await takeAlternative(ctx, [1, 2, 3], [4, 5, 6]);
    expect(result.swapped).toBe(false);
    expect(result.held).toEqual([]);
    expect(result.outcome.text).toBe(
      'Someone else took Stalls, row G, seats 4–6 a moment ago. Meanwhile your earlier seats were taken too, so you hold none of them now. Try Find seats again.',
    );
    expect(ctx.store.getHeld()).toEqual([]);
  });

  it('does not hold the alternative when the block could not be given back', async () => {
    const ctx = context({
      unlock: vi.fn(async (_e: number, id: number) => {
        if (id === 2) throw new ApiError(0, NETWORK_ERROR, 'offline');
        return { seat: freed(byId.get(id)!) };
      }),
    });
    const result = await takeAlternative(ctx, [1, 2, 3], [4, 5, 6]);
    expect(result.swapped).toBe(false);
    expect(ctx.api.lockMany).toHaveBeenCalledTimes(1);
    expect(ctx.api.lockMany).toHaveBeenCalledWith(7, [1, 3]); // held again, never [4, 5, 6]
    expect(result.outcome.text).toBe(
      "Could not swap seats: Can't reach the server. Check your connection and try again. You still hold Stalls, row F, seats 8–10.",
    );
    expect(result.held).toEqual([1, 2, 3]);
  });

  it('a seat of the block whose hold had already ended is no obstacle', async () => {
    const ctx = context({
      unlock: vi.fn(async (_e: number, id: number) => {
        if (id === 1) throw new ApiError(409, 'not_holder', 'gone');
        return { seat: freed(byId.get(id)!) };
      }),
    });
    const result = await takeAlternative(ctx, [1, 2, 3], [4, 5, 6]);
    expect(result.swapped).toBe(true);
    expect(ctx.store.getHeld().map((s) => s.id)).toEqual([4, 5, 6]);
  });
});
