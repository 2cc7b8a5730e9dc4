// @vitest-environment jsdom
// The testbed first: its vi.mock calls must run before anything imports the modules they replace.
import { mocks, mount, ROOM_SEATS, setUpEachTest } from './SeatSelector.testbed';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api-client';
import { place, queueFrame, queueStatus } from '../test/waitingRoom';

// The waiting room's calls (API.md "Waiting room"), answered by each test.
const queue = vi.hoisted(() => ({ fetch: vi.fn(), join: vi.fn(), claim: vi.fn(), extend: vi.fn() }));
vi.mock('../features/waiting-room/api/queue', () => ({
  fetchQueue: (...args: unknown[]) => queue.fetch(...args),
  joinQueue: (...args: unknown[]) => queue.join(...args),
  claimTurn: (...args: unknown[]) => queue.claim(...args),
  extendTurn: (...args: unknown[]) => queue.extend(...args),
  proofUrl: (eventId: number) => `/api/events/${eventId}/queue/proof/`,
}));

const LATER = '2099-01-01T00:00:00Z';
const turn = (token: string) => ({ token, expires_at: LATER, extended: false });
const seatA1 = () => screen.queryByRole('button', { name: /^A1, / });

/** Plays the server's side of the page's socket: opened, then the frames given. */
async function serverSays(...frames: object[]) {
  await waitFor(() => expect(mocks.socket).not.toBeNull()); // it opens once the map has arrived
  const { handlers } = mocks.socket!;
  await act(async () => {
    for (const frame of frames) handlers.onMessage(frame as Record<string, unknown>);
  });
}

async function openSocket() {
  await waitFor(() => expect(mocks.socket).not.toBeNull());
  const { handlers } = mocks.socket!;
  await act(async () => {
    handlers.onStateChange?.('open');
    handlers.onOpen?.({ reconnect: false });
  });
}

describe('SeatSelector behind a waiting room', () => {
  setUpEachTest();
  beforeEach(() => {
    for (const call of Object.values(queue)) call.mockReset();
    mocks.seats = ROOM_SEATS;
  });

  it('waits, takes a place, claims the turn when called, then holds with its token', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 10, rate: 2 }, null));
    queue.join.mockResolvedValue({ place: place({ number: 20 }) });
    queue.claim.mockResolvedValue({ turn: turn('turn-1') });
    mount({ queued: true, loggedIn: true });

    await waitFor(() => expect(screen.getByTestId('queue-position').textContent).toBe('No. 20 · 9 ahead · about 3-5 min · 1,104 seats left'));
    expect(queue.join).toHaveBeenCalledTimes(1);
    expect(seatA1()).toBeNull(); // no map while waiting

    await openSocket();
    await serverSays(queueFrame({ event_id: 7, serving: 20, at: '2026-12-01T10:04:00Z' }));
    await waitFor(() => expect(screen.getByTestId('turn-bar').textContent).toMatch(/^Your turn: /));
    expect(queue.claim).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(mocks.socket!.sent).toContainEqual({ type: 'turn', token: 'turn-1' }));

    mocks.lock.mockResolvedValueOnce({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: LATER, mine: true } });
    fireEvent.click(await screen.findByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 1, 'turn-1'));
  });

  it('goes back to the waiting room, told why, when a click is refused for the turn', async () => {
    queue.fetch
      .mockResolvedValueOnce(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('turn-2') })))
      .mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true })));
    mount({ queued: true, loggedIn: true });
    mocks.lock.mockRejectedValueOnce(new ApiError(403, 'queue_turn_expired', 'over'));
    fireEvent.click(await screen.findByRole('button', { name: /^B1, / }));

    await screen.findByTestId('waiting-room');
    expect(mocks.lock).toHaveBeenCalledWith(7, 3, 'turn-2');
    expect(screen.getByTestId('toast-region').textContent).toMatch(/^Your turn has ended/);
    expect(seatA1()).toBeNull();
    // the page read the place again, and does not claim a turn behind the buyer's back
    expect(queue.fetch.mock.calls.length).toBeGreaterThan(1);
    expect(queue.claim).not.toHaveBeenCalled();
  });

  it('ends the turn when a booking reaches the purchase limit, and says so', async () => {
    queue.fetch
      .mockResolvedValueOnce(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('turn-3') })))
      .mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true }))); // ended by the booking
    const run = { run_ends_at: null, hold_again_at: null, booked: 0, purchase_limit: 1, hold_limit: 10, most_at_once: 1 };
    mocks.holdRun.mockResolvedValueOnce({ ...run, held: 0, may_take: 1 }).mockResolvedValue({ ...run, held: 1, may_take: 0 });
    mount({ queued: true, loggedIn: true });
    mocks.lock.mockResolvedValueOnce({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: LATER, mine: true } });
    fireEvent.click(await screen.findByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(screen.getByTestId('basket-limit').textContent).toBe('1 of 1 seat held: the most one buyer may have of this event'));
    mocks.reserve.mockResolvedValueOnce({ reservation: { id: 9, seats: [{ id: 1, label: 'A1' }], total_price: '85.00' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Reserve 1 seat' })[0]); // the basket's (the phone's bar has one too)

    await screen.findByTestId('waiting-room');
    expect(seatA1()).toBeNull();
    expect(queue.claim).not.toHaveBeenCalled();
    expect(screen.getByTestId('toast-region').textContent).toMatch(
      /^Booked A1 \(total .*\)\. Reservation #9\. You have booked the most seats one buyer may have of this event, so your turn is over\./,
    );
  });

  it('takes a renewed pass when the organiser revoked the old one, and goes on', async () => {
    queue.fetch
      .mockResolvedValueOnce(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('revoked') })))
      .mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('renewed') })));
    mount({ queued: true, loggedIn: true });
    mocks.lock.mockRejectedValueOnce(new ApiError(403, 'queue_turn_required', 'revoked'));
    fireEvent.click(await screen.findByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(screen.getByTestId('toast-region').textContent).toBe('Your turn goes on: its pass was renewed. Please try that again.'));
    expect(screen.getByTestId('toast').getAttribute('data-tone')).toBe('info');
    expect(screen.queryByTestId('waiting-room')).toBeNull();
    mocks.lock.mockResolvedValueOnce({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: LATER, mine: true } });
    fireEvent.click(screen.getByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(mocks.lock).toHaveBeenLastCalledWith(7, 1, 'renewed'));
  });

  it('goes back to the waiting room when a revoked pass has no running turn behind it', async () => {
    queue.fetch
      .mockResolvedValueOnce(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('gone') })))
      .mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true })));
    mount({ queued: true, loggedIn: true });
    mocks.lock.mockRejectedValueOnce(new ApiError(403, 'queue_turn_required', 'no turn'));
    fireEvent.click(await screen.findByRole('button', { name: /^A1, / }));
    await screen.findByTestId('waiting-room');
    expect(screen.getByTestId('toast-region').textContent).toMatch(/^Holding seats needs your turn from the waiting room/);
    expect(screen.getByTestId('toast').getAttribute('data-tone')).toBe('error');
    expect(queue.claim).not.toHaveBeenCalled();
  });

  it('goes back to the waiting room when the socket refuses the turn', async () => {
    queue.fetch
      .mockResolvedValueOnce(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('turn-3') })))
      .mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true })));
    mount({ queued: true, loggedIn: true });
    await screen.findByRole('button', { name: /^A1, / });
    await openSocket();
    await waitFor(() => expect(mocks.socket!.sent).toContainEqual({ type: 'turn', token: 'turn-3' }));
    await serverSays(queueFrame({ event_id: 7, serving: 20 }), { type: 'error', code: 'queue_turn_expired' });
    await screen.findByTestId('waiting-room');
    expect(screen.getByTestId('toast-region').textContent).toMatch(/^Your turn has ended/);
    expect(queue.claim).not.toHaveBeenCalled();
  });

  it('gives more time once, from the turn bar', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 20 }, place({ number: 20, called: true, turn: turn('turn-4') })));
    queue.extend.mockResolvedValue({ turn: { token: 'turn-5', expires_at: LATER, extended: true } });
    mount({ queued: true, loggedIn: true });
    fireEvent.click(await screen.findByRole('button', { name: 'I need more time' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'I need more time' })).toBeNull());
    expect(queue.extend).toHaveBeenCalledTimes(1);
    // the longer turn's token goes on the next hold
    mocks.lock.mockResolvedValueOnce({ success: true, seat: { ...ROOM_SEATS[0], status: 'locked', version: 2, locked_until: LATER, mine: true } });
    fireEvent.click(screen.getByRole('button', { name: /^A1, / }));
    await waitFor(() => expect(mocks.lock).toHaveBeenCalledWith(7, 1, 'turn-5'));
  });

  it('says so when the turn lapsed before it was claimed, and reads the place again when the server rebuilt it', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 10, reread: 0 }, place({ number: 20 })));
    queue.claim.mockRejectedValue(new ApiError(409, 'turn_lapsed', 'too late'));
    mount({ queued: true, loggedIn: true });
    await screen.findByTestId('queue-position');
    await openSocket();
    const reads = queue.fetch.mock.calls.length;
    await serverSays(queueFrame({ event_id: 7, serving: 25, reread: 1, at: '2026-12-01T10:05:00Z' }));
    await waitFor(() => expect(screen.getByTestId('toast-region').textContent).toMatch(/^Your turn lapsed/));
    expect(queue.claim).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(queue.fetch).toHaveBeenCalledTimes(reads + 1));
    // a later frame claims no lapsed turn again, nor reads again for the same rebuild
    await serverSays(queueFrame({ event_id: 7, serving: 30, reread: 1, at: '2026-12-01T10:05:05Z' }));
    expect(queue.claim).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.fetch).toHaveBeenCalledTimes(reads + 1);
  });

  it('opens the map at once after a reload during the turn, and shows the turn on the socket', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 50 }, place({ number: 20, called: true, turn: turn('fresh') })));
    mount({ queued: true, loggedIn: true });
    await screen.findByRole('button', { name: /^A1, / });
    await openSocket();
    await waitFor(() => expect(mocks.socket!.sent).toContainEqual({ type: 'turn', token: 'fresh' }));
    expect(queue.claim).not.toHaveBeenCalled();
    expect(queue.join).not.toHaveBeenCalled();
  });

  it('tells every waiting buyer at once when the seats are gone', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 10 }, place({ number: 500 })));
    mount({ queued: true, loggedIn: true });
    await screen.findByTestId('queue-position');
    await openSocket();
    await serverSays(queueFrame({ event_id: 7, serving: 10, state: 'held_out', seats_left: 0, holds_end_at: '2026-12-01T10:15:00Z', at: '2026-12-01T10:05:00Z' }));
    expect(screen.getByTestId('waiting-room-title').textContent).toBe('Every seat is held right now');
    await serverSays(queueFrame({ event_id: 7, serving: 10, state: 'sold_out', seats_left: 0, at: '2026-12-01T10:06:00Z' }));
    expect(screen.getByTestId('waiting-room-title').textContent).toBe('Sold out');
    expect(screen.getByTestId('queue-announcement').textContent).toBe('Sold out: every seat has been booked.');
    expect(queue.claim).not.toHaveBeenCalled();
  });

  it('asks a visitor to log in, and takes no place for them', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, state: 'pre_queue', serving: 0 }, null));
    mount({ queued: true, loggedIn: false });
    await screen.findByRole('link', { name: 'Log in' });
    expect(queue.join).not.toHaveBeenCalled();
    expect(seatA1()).toBeNull();
  });

  it('offers no seat before the page knows whether there is a waiting room', async () => {
    mount({ queued: null, loggedIn: true });
    await waitFor(() => expect(mocks.socket).not.toBeNull());
    expect(seatA1()).toBeNull();
    expect(queue.fetch).not.toHaveBeenCalled();
  });

  it('believes the socket when it says there is a waiting room the event detail did not name yet', async () => {
    queue.fetch.mockResolvedValue(queueStatus({ event_id: 7, serving: 0, state: 'pre_queue' }, null));
    queue.join.mockResolvedValue({ place: place({ number: null }) });
    mount({ queued: false, loggedIn: true });
    await screen.findByRole('button', { name: /^A1, / });
    await openSocket();
    await serverSays(queueFrame({ event_id: 7, serving: 0, state: 'pre_queue' }));
    await screen.findByTestId('waiting-room');
    expect(seatA1()).toBeNull();
    await waitFor(() => expect(queue.join).toHaveBeenCalledTimes(1));
  });

  it('leaves an event without a waiting room as it was', async () => {
    mount({ loggedIn: true });
    await screen.findByRole('button', { name: /^A1, / });
    expect(queue.fetch).not.toHaveBeenCalled();
    expect(screen.queryByTestId('turn-bar')).toBeNull();
  });
});
