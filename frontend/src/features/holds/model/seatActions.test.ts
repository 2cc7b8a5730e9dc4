import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { holdAgainText } from '../../../lib/error-messages';
import { formatClockTime } from '../../../lib/format';
import { extendHeld, reserveHeld, toggleSeat, type ActionContext, type SeatApi } from './seatActions';
import { SeatStore, seatKind, type ApiSeat } from '../../seat-map';

const LATER = '2026-12-22T10:05:00Z';

function apiSeat(id: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `A${id}`, section: 'Floor', row: 'A', number: id, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false, ...patch };
}

function context(api: Partial<SeatApi>, seats: ApiSeat[] = [apiSeat(1), apiSeat(2)], loggedIn = true): ActionContext {
  const store = new SeatStore();
  store.loadFromApi(seats);
  const full: SeatApi = {
    lock: vi.fn(async () => { throw new Error('unexpected'); }),
    unlock: vi.fn(async () => { throw new Error('unexpected'); }),
    extend: vi.fn(async () => { throw new Error('unexpected'); }),
    reserve: vi.fn(async () => { throw new Error('unexpected'); }),
    ...api,
  };
  return { eventId: 1, store, api: full, loggedIn, newKey: () => 'key-1' };
}

describe('toggleSeat', () => {
  it('holds an available seat', async () => {
    const ctx = context({ lock: async (_e, id) => ({ seat: apiSeat(id, { status: 'locked', version: 2, locked_until: LATER, mine: true }) }) });
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'ok', text: 'Holding A1 for you.' });
    expect(seatKind(ctx.store.getSeat(1)!)).toBe('held-mine');
    expect(ctx.store.getSeat(1)?.busy).toBe(false);
  });

  it('releases a seat held by me', async () => {
    const ctx = context(
      { unlock: async (_e, id) => ({ seat: apiSeat(id, { version: 3 }) }) },
      [apiSeat(1, { status: 'locked', version: 2, locked_until: LATER, mine: true })],
    );
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'ok', text: 'Released A1.' });
    expect(seatKind(ctx.store.getSeat(1)!)).toBe('available');
  });

  it('says someone else got there first', async () => {
    const ctx = context({
      lock: async () => { throw new ApiError(409, 'seat_unavailable', 'Seat A1 is already held'); },
    });
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({
      kind: 'error',
      text: 'Someone else got there first: A1 is held or booked by another customer.',
    });
    expect(seatKind(ctx.store.getSeat(1)!)).not.toBe('held-mine');
  });

  it('answers a click on a seat the map shows held by someone else from the map, asking nothing', async () => {
    const lock = vi.fn();
    const ctx = { ...context({ lock }, [apiSeat(1, { status: 'locked', version: 2, locked_until: LATER })]), now: () => Date.parse(LATER) - 60_000 };
    const until = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(Date.parse(LATER) - (ctx.now() - Date.now()));
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'error', text: `A1 is held by someone else, may come back by ${until}.` });
    expect(lock).not.toHaveBeenCalled();
    expect(ctx.store.getSeat(1)?.busy).toBe(false);
  });

  it('asks for a seat held by someone else whose hold has run out by the server clock (it may be free already)', async () => {
    const lock = vi.fn(async (_e: number, id: number) => ({ seat: apiSeat(id, { status: 'locked', version: 3, locked_until: LATER, mine: true }) }));
    const ctx = { ...context({ lock }, [apiSeat(1, { status: 'locked', version: 2, locked_until: LATER })]), now: () => Date.parse(LATER) + 1_000 };
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'ok', text: 'Holding A1 for you.' });
    expect(lock).toHaveBeenCalledWith(1, 1);
  });

  it('says when the hold limit is reached', async () => {
    const ctx = context({ lock: async () => { throw new ApiError(409, 'hold_limit', 'limit'); } });
    const outcome = await toggleSeat(ctx, 1);
    expect(outcome?.text).toMatch(/limit of seats you can hold/);
    expect(outcome?.refetch).toBe(true); // holds made in another tab show up
    expect(outcome?.refetchRun).toBe(true); // and the server's count of them
  });

  it('tells the buyer in words a click would pass the purchase limit, in the server\u2019s numbers, and asks the server nothing', async () => {
    // The page shows one seat held and none booked; the server counts two booked (another tab).
    const ctx = {
      ...context({}, [apiSeat(1, { version: 2, mine: true, status: 'locked', locked_until: LATER }), apiSeat(4)]),
      buyer: { held: 1, booked: 2, purchase_limit: 3, hold_limit: 10, may_take: 0, most_at_once: 1 },
    };
    await expect(toggleSeat(ctx, 4)).resolves.toEqual({
      kind: 'error',
      text: 'One buyer may have at most 3 seats of this event, held and booked together, and you hold 1 and have booked 2.',
    });
    expect(ctx.api.lock).not.toHaveBeenCalled();
    expect(ctx.store.getSeat(4)?.busy).toBe(false);
    // Letting one go is still a click away, and so is the seat it frees.
    expect(ctx.store.getSeat(1)?.status).toBe('locked');
  });

  it('asks the server while its count leaves room, and reads the seats and the count again on purchase_limit', async () => {
    const ctx = {
      ...context({ lock: vi.fn(async () => { throw new ApiError(409, 'purchase_limit', 'x', { limit: 3, held: 0, booked: 3 }); }) }),
      buyer: { held: 0, booked: 2, purchase_limit: 3, hold_limit: 10, may_take: 1, most_at_once: 1 },
    };
    const outcome = await toggleSeat(ctx, 1);
    expect(ctx.api.lock).toHaveBeenCalledTimes(1);
    expect(outcome).toEqual({
      kind: 'error',
      text: 'One buyer may have at most 3 seats of this event, held and booked together: you have booked 3.',
      refetch: true, // booked since it was counted, in another tab: the page's seats and count are behind
      refetchRun: true,
    });
  });

  it('tells a buyer in the cooldown after their run of holds reached its cap when they may hold again, asking nothing', async () => {
    const now = Date.parse(LATER) - 60_000;
    const ctx = { ...context({ lock: vi.fn() }), now: () => now, holdAgainAt: Date.parse(LATER) };
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'error', text: holdAgainText(Date.parse(LATER)) });
    expect(ctx.api.lock).not.toHaveBeenCalled();
    expect(ctx.store.getSeat(1)?.busy).toBe(false);
  });

  it('asks again once the cooldown is over, and has the run read again when the server says the cap', async () => {
    const ok = vi.fn(async (_e: number, id: number) => ({ seat: apiSeat(id, { status: 'locked', version: 2, locked_until: LATER, mine: true }) }));
    const over = { ...context({ lock: ok }), now: () => Date.parse(LATER), holdAgainAt: Date.parse(LATER) };
    await expect(toggleSeat(over, 1)).resolves.toEqual({ kind: 'ok', text: 'Holding A1 for you.' });

    const again = { hold_again_at: LATER };
    const capped = context({ lock: async () => { throw new ApiError(409, 'hold_cap_reached', 'x', again); } });
    await expect(toggleSeat(capped, 1)).resolves.toEqual({ kind: 'error', text: holdAgainText(Date.parse(LATER)), refetchRun: true });
    const other = context({ lock: async () => { throw new ApiError(409, 'seat_unavailable', 'taken'); } });
    expect((await toggleSeat(other, 1))?.refetchRun).toBeUndefined();
  });

  it('sends the buyer back to the waiting room when the turn is not good any more', async () => {
    for (const code of ['queue_turn_expired', 'queue_turn_required']) {
      const ctx = context({ lock: async () => { throw new ApiError(403, code, 'turn'); } });
      const outcome = await toggleSeat(ctx, 1);
      expect(outcome).toMatchObject({ kind: 'error', turnLost: code });
      expect(outcome?.text).toMatch(/turn/);
      expect(ctx.store.getSeat(1)?.busy).toBe(false);
    }
    // any other refusal keeps the buyer on the map
    const other = context({ lock: async () => { throw new ApiError(409, 'seat_unavailable', 'taken'); } });
    expect((await toggleSeat(other, 1))?.turnLost).toBeUndefined();
  });

  it('asks to log in first, without calling the server', async () => {
    const ctx = context({}, undefined, false);
    await expect(toggleSeat(ctx, 1)).resolves.toEqual({ kind: 'login', text: 'Log in to hold seats.' });
    expect(ctx.api.lock).not.toHaveBeenCalled();
  });

  it('asks the server when the page does not know yet whether anyone is logged in', async () => {
    // A logged-in buyer's first click, while the page is still asking who they are, holds.
    const lock = async (_e: number, id: number) => ({ seat: apiSeat(id, { status: 'locked', version: 2, locked_until: LATER, mine: true }) });
    const held = { ...context({ lock }), loggedIn: undefined };
    await expect(toggleSeat(held, 1)).resolves.toEqual({ kind: 'ok', text: 'Holding A1 for you.' });
    // Nobody is: the server's 401 asks them to log in.
    const anonymous = { ...context({ lock: async () => { throw new ApiError(401, 'not_authenticated', 'no'); } }), loggedIn: undefined };
    expect((await toggleSeat(anonymous, 1))?.kind).toBe('login');
  });

  it('explains a booked seat without calling the server', async () => {
    const ctx = context({}, [apiSeat(1, { status: 'reserved', version: 3 }), apiSeat(2, { status: 'reserved', version: 3, mine: true })]);
    expect(await toggleSeat(ctx, 1)).toEqual({ kind: 'error', text: 'Seat A1 is already booked.' });
    expect((await toggleSeat(ctx, 2))?.kind).toBe('info');
  });

  it('ignores a second click while the first is in flight', async () => {
    let release!: () => void;
    const ctx = context({
      lock: vi.fn((_e: number, id: number) => new Promise<{ seat: ApiSeat }>((resolve) => {
        release = () => resolve({ seat: apiSeat(id, { status: 'locked', version: 2, locked_until: LATER, mine: true }) });
      })),
    });
    const first = toggleSeat(ctx, 1);
    await expect(toggleSeat(ctx, 1)).resolves.toBeNull();
    release();
    await first;
    expect(ctx.api.lock).toHaveBeenCalledTimes(1);
  });

  it('says a hold had already ended when releasing it fails with not_holder', async () => {
    const ctx = context(
      { unlock: async () => { throw new ApiError(409, 'not_holder', 'x'); } },
      [apiSeat(1, { status: 'locked', version: 2, locked_until: LATER, mine: true })],
    );
    const outcome = await toggleSeat(ctx, 1);
    expect(outcome).toMatchObject({ kind: 'error', refetch: true });
    expect(outcome?.text).toBe('Seat A1 is no longer held by you: the hold had already ended.');
  });
});

describe('reserveHeld', () => {
  const held = [
    apiSeat(1, { status: 'locked', version: 2, locked_until: LATER, mine: true }),
    apiSeat(2, { status: 'locked', version: 4, locked_until: LATER, mine: true, price: '120.00' }),
    apiSeat(3),
  ];

  it('books every held seat with one request and an Idempotency-Key, at the total shown', async () => {
    const reserve = vi.fn(async (_e: number, ids: number[]) => ({
      reservation: { id: 42, status: 'confirmed', seats: ids.map((id) => ({ id, label: `A${id}` })), total_price: '170.00', pay_by: null },
    }));
    const ctx = context({ reserve }, held);
    const outcome = await reserveHeld(ctx);
    expect(reserve).toHaveBeenCalledWith(1, [1, 2], 'key-1', '170.00');
    expect(outcome).toEqual({ kind: 'ok', text: 'Booked A1, A2 (total 170.00). Reservation #42.', reservationId: 42 });
    expect(ctx.store.getSeat(1)).toMatchObject({ status: 'reserved', version: 3, mine: true });
    expect(ctx.store.getSeat(2)).toMatchObject({ status: 'reserved', version: 5, mine: true });
    expect(ctx.store.getHeld()).toEqual([]);
  });

  it('says the total in the event\u2019s currency', async () => {
    const reserve = vi.fn(async (_e: number, ids: number[]) => ({
      reservation: { id: 43, status: 'confirmed', seats: ids.map((id) => ({ id, label: `A${id}` })), total_price: '170.00', pay_by: null },
    }));
    const ctx = { ...context({ reserve }, held), money: (amount: string) => `\u20ac${amount}` };
    expect((await reserveHeld(ctx)).text).toBe('Booked A1, A2 (total \u20ac170.00). Reservation #43.');
  });

  it('makes an order awaiting payment of an event paid online: its seats paying, and says by when', async () => {
    const payBy = '2026-12-22T10:30:00Z';
    const reserve = vi.fn(async (_e: number, ids: number[]) => ({
      reservation: { id: 44, status: 'awaiting_payment', seats: ids.map((id) => ({ id, label: `A${id}` })), total_price: '170.00', pay_by: payBy },
    }));
    const ctx = context({ reserve }, held);
    const outcome = await reserveHeld(ctx);
    expect(outcome.text).toBe(`Ordered A1, A2 (total 170.00): pay by ${formatClockTime(Date.parse(payBy))} to keep them. Reservation #44.`);
    expect(ctx.store.getSeat(1)).toMatchObject({ status: 'paying', version: 3, mine: true });
    expect(ctx.store.getHeld()).toEqual([]);
  });

  it('retries a lost answer once with the same key', async () => {
    const reserve = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(0, 'network', 'down'))
      .mockResolvedValueOnce({ reservation: { id: 7, status: 'confirmed', seats: [{ id: 1, label: 'A1' }, { id: 2, label: 'A2' }], total_price: '170.00', pay_by: null } });
    const ctx = context({ reserve }, held);
    expect((await reserveHeld(ctx)).kind).toBe('ok');
    expect(reserve.mock.calls.map((c) => c[2])).toEqual(['key-1', 'key-1']);
  });

  it('names the seats whose hold expired and asks for a fresh list', async () => {
    const ctx = context({
      reserve: async () => { throw new ApiError(409, 'lock_required', 'x', { seats: [2] }); },
    }, held);
    const outcome = await reserveHeld(ctx);
    expect(outcome).toEqual({
      kind: 'error',
      text: 'Your hold on A2 expired before the booking went through. Pick the seats again.',
      refetch: true,
    });
    expect(ctx.store.getSeat(1)).toMatchObject({ mine: true, busy: false });
  });

  it('asks for the new prices when the organiser changed them while the seats were held', async () => {
    const ctx = context({
      reserve: async () => { throw new ApiError(409, 'price_changed', 'x', { total: '200.00' }); },
    }, held);
    const outcome = await reserveHeld(ctx);
    expect(outcome).toMatchObject({ kind: 'error', refetch: true, refetchPrices: true });
    expect(outcome.text).toMatch(/^The price of seats you hold changed/);
    expect(ctx.store.getHeld().map((s) => s.id)).toEqual([1, 2]); // nothing booked, still held
  });

  it('needs a seat first', async () => {
    expect((await reserveHeld(context({}))).kind).toBe('info');
  });
});

describe('extendHeld ("Keep my seats")', () => {
  const held = (id: number, version = 2) => apiSeat(id, { status: 'locked', version, locked_until: LATER, mine: true });
  const MUCH_LATER = '2026-12-22T10:10:00Z';

  it('asks for more time on every held seat and shows the new end', async () => {
    const extend = vi.fn(async (_e: number, id: number) => ({ seat: apiSeat(id, { status: 'locked', version: 3, locked_until: MUCH_LATER, mine: true }) }));
    const ctx = context({ extend }, [held(1), held(2)]);
    const result = await extendHeld(ctx, [1, 2]);
    expect(extend).toHaveBeenCalledTimes(2);
    expect(result).toEqual({ outcome: { kind: 'ok', text: 'Kept A1, A2 for you.' }, capped: [] });
    expect(ctx.store.getSeat(1)?.lockedUntil).toBe(Date.parse(MUCH_LATER));
    expect(ctx.store.getHeld().map((s) => s.id)).toEqual([1, 2]);
    expect(ctx.store.getSeat(1)?.busy).toBe(false);
  });

  it('reports hold_cap_reached clearly and returns the capped seats', async () => {
    const ctx = context({
      extend: async (_e, id) => {
        if (id === 2) throw new ApiError(409, 'hold_cap_reached', 'cap');
        return { seat: apiSeat(id, { status: 'locked', version: 3, locked_until: MUCH_LATER, mine: true }) };
      },
    }, [held(1), held(2)]);
    const result = await extendHeld(ctx, [1, 2]);
    expect(result.capped).toEqual([2]);
    expect(result.outcome.kind).toBe('error');
    expect(result.outcome.text).toBe("Kept A1 for you. Seat A2 can't be held any longer. Reserve now if you still hold it; otherwise it is open to others, and to you again a few minutes after your hold ended.");
    expect(ctx.store.getHeld().map((s) => s.id)).toEqual([1, 2]); // still held until it runs out
  });

  it('drops a seat that is no longer held (not_holder) and asks for the list again', async () => {
    const ctx = context({ extend: async () => { throw new ApiError(409, 'not_holder', 'x'); } }, [held(1)]);
    const result = await extendHeld(ctx, [1]);
    expect(result.outcome.refetch).toBe(true);
    expect(result.outcome.text).toMatch(/no longer held by you/);
    expect(ctx.store.getHeld()).toEqual([]);
  });

  it('keeps the seat mine when the push of the extension overtakes the answer', async () => {
    let answer!: (v: { seat: ApiSeat }) => void;
    const ctx = context({ extend: () => new Promise((resolve) => { answer = resolve; }) }, [held(1)]);
    const lost = vi.fn();
    ctx.store.subscribeHoldLost(lost);
    const pending = extendHeld(ctx, [1]);
    ctx.store.applyPushed([{ id: 1, status: 'locked', version: 3, locked_until: MUCH_LATER }]);
    expect(seatKind(ctx.store.getSeat(1)!)).toBe('held-mine');
    answer({ seat: apiSeat(1, { status: 'locked', version: 3, locked_until: MUCH_LATER, mine: true }) });
    await pending;
    expect(seatKind(ctx.store.getSeat(1)!)).toBe('held-mine');
    expect(lost).not.toHaveBeenCalled();
  });

  it('does nothing for seats not held', async () => {
    const ctx = context({}, [apiSeat(1)]);
    expect((await extendHeld(ctx, [1])).outcome.kind).toBe('info');
    expect(ctx.api.extend).not.toHaveBeenCalled();
  });
});
