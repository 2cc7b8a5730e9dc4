// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { holdAgainText } from '../../../lib/error-messages';
import { buildLegend, RovingFocus, seatKind, SeatStore, type ApiSeat } from '../../seat-map';
import { FindSeats } from './FindSeats';

const mocks = vi.hoisted(() => ({ best: vi.fn(), lockMany: vi.fn(), unlock: vi.fn() }));

vi.mock('../api/best', () => ({ findBestSeats: (...args: unknown[]) => mocks.best(...args) }));
vi.mock('../../holds', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../holds')>()),
  lockSeats: (...args: unknown[]) => mocks.lockMany(...args),
  unlockSeat: (...args: unknown[]) => mocks.unlock(...args),
}));

const LATER = '2099-01-01T00:05:00Z';

function apiSeat(id: number, row: string, number: number, patch: Partial<ApiSeat> = {}): ApiSeat {
  return { id, label: `${row}${number}`, section: 'Stalls', row, number, price: '85.00', status: 'available', version: 1, locked_until: null, mine: false, category: 1, ...patch };
}
const held = (s: ApiSeat, version = 2): ApiSeat => ({ ...s, status: 'locked', version, locked_until: LATER, mine: true });

// Row F 8–10 (8 a wheelchair space, 9 its companion) and row G 4–6.
const SEATS = [
  apiSeat(1, 'F', 8, { accessible: true }),
  apiSeat(2, 'F', 9, { companion: true }),
  apiSeat(3, 'F', 10),
  apiSeat(4, 'G', 4, { accessible: true }),
  apiSeat(5, 'G', 5),
  apiSeat(6, 'G', 6),
];
const CATEGORIES = buildLegend([
  { id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf' },
  { id: 2, name: 'Standard', price: '45.00', colour: '#009e73' },
]);

function mount(loggedIn = true, sections: string[] = ['Stalls'], wheelchairSpaces = true, extra: Partial<Parameters<typeof FindSeats>[0]> = {}) {
  const store = new SeatStore();
  store.loadFromApi(SEATS);
  const focus = new RovingFocus();
  const onHeld = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const form = (roomSections: string[]) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <FindSeats
          eventId={7}
          store={store}
          focus={focus}
          loggedIn={loggedIn}
          categories={CATEGORIES}
          sections={roomSections}
          loginLink="/login?next=%2Fevents%2F7"
          wheelchairSpaces={wheelchairSpaces}
          onHeld={onHeld}
          {...extra}
        />
      </MemoryRouter>
    </QueryClientProvider>
  );
  const { rerender } = render(form(sections));
  return { store, focus, onHeld, roomNowHas: (roomSections: string[]) => rerender(form(roomSections)) };
}

const result = () => screen.getByTestId('find-seats-result');

describe('FindSeats', () => {
  beforeEach(() => {
    mocks.best.mockReset();
    mocks.lockMany.mockReset();
    mocks.unlock.mockReset();
  });
  afterEach(cleanup);

  it('is a labelled form: 2 seats at any price, no wheelchair space, by default', () => {
    mount();
    const form = screen.getByTestId('find-seats');
    expect(form.tagName).toBe('FORM');
    expect((screen.getByLabelText('Seats') as HTMLInputElement).value).toBe('2');
    expect((screen.getByLabelText('Price') as HTMLSelectElement).value).toBe('');
    expect(within(screen.getByLabelText('Price')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Any price',
      'Premium 85.00',
      'Standard 45.00',
    ]);
    const spaces = screen.getByLabelText('Wheelchair spaces') as HTMLInputElement;
    expect(spaces.value).toBe('0');
    expect(spaces.getAttribute('aria-describedby')).toContain(screen.getByText('How many of the seats are for wheelchair users; the others are next to them, for companions.').id);
    expect(result().getAttribute('aria-live')).toBe('polite');
    expect(result().textContent).toBe('');
  });

  it('asks for wheelchair spaces only in a room that has them', () => {
    mount(true, ['Stalls'], false);
    expect(screen.queryByLabelText('Wheelchair spaces')).toBeNull();
  });

  it('asks a buyer who already holds seats before adding to them, and can replace them instead', async () => {
    const { store } = mount();
    store.applyOwnAnswer(held(SEATS[4]));
    mocks.best.mockResolvedValue({ success: true, seats: SEATS.slice(0, 2).map((s) => held(s)), together: true, alternatives: [] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));

    const question = await screen.findByTestId('find-seats-question');
    expect(question.textContent).toContain('You already hold 1 seat (Stalls, row G, seat 5).');
    expect(mocks.best).not.toHaveBeenCalled(); // nothing is held before the buyer answers
    expect(document.activeElement).toBe(screen.getByTestId('find-seats-add'));

    mocks.unlock.mockImplementation(async (_e: number, id: number) => ({ seat: { ...SEATS[id - 1], version: 3 } }));
    fireEvent.click(screen.getByTestId('find-seats-replace'));
    await waitFor(() => expect(result().textContent).toContain('Found 2 seats together'));
    expect(mocks.unlock.mock.calls.map((c) => c[1])).toEqual([5]);
    expect(store.getHeld().map((s) => s.id)).toEqual([1, 2]);
    expect(screen.queryByTestId('find-seats-question')).toBeNull();
  });

  it('adds to earlier holds when the buyer says so', async () => {
    const { store } = mount();
    store.applyOwnAnswer(held(SEATS[4]));
    mocks.best.mockResolvedValue({ success: true, seats: SEATS.slice(0, 2).map((s) => held(s)), together: true, alternatives: [] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    fireEvent.click(await screen.findByTestId('find-seats-add'));
    await waitFor(() => expect(store.getHeld().map((s) => s.id)).toEqual([1, 2, 5]));
    expect(mocks.unlock).not.toHaveBeenCalled();
    // The answer's button went with the question: the keyboard is not left on the page's body.
    expect(document.activeElement).toBe(screen.getByTestId('find-seats-submit'));
  });

  it('offers a choice of section only in a room of several, and sends the one chosen', async () => {
    mount();
    expect(screen.queryByLabelText('Section')).toBeNull();
    cleanup();
    mount(true, ['Stalls', 'Circle']);
    expect(within(screen.getByLabelText('Section')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Any section',
      'Stalls',
      'Circle',
    ]);
    mocks.best.mockRejectedValue(new ApiError(409, 'no_block', 'Nothing fits'));
    fireEvent.change(screen.getByTestId('find-seats-section'), { target: { value: 'Circle' } });
    fireEvent.click(screen.getByTestId('find-seats-submit'));

    await waitFor(() => expect(result().textContent).toBe('No 2 seats together are left in Circle. Try fewer seats or another section.'));
    expect(mocks.best).toHaveBeenCalledWith(7, { count: 2, section: 'Circle' });
  });

  it("holds with the waiting room's turn token, and says when the turn is over", async () => {
    const onTurnLost = vi.fn();
    const { store } = mount(true, ['Stalls'], true, { turn: 'turn-1', onTurnLost });
    mocks.best.mockResolvedValueOnce({ success: true, seats: SEATS.slice(0, 2).map((s) => held(s)), together: true, alternatives: [[5, 6]] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(store.getHeld()).toHaveLength(2));
    expect(mocks.best).toHaveBeenCalledWith(7, { count: 2 }, 'turn-1');
    expect(onTurnLost).not.toHaveBeenCalled();

    // The turn ends before the swap: the new block is refused, the old one held again, and the page is told.
    mocks.unlock.mockImplementation(async (_e: number, id: number) => ({ seat: { ...SEATS[id - 1], version: 3 } }));
    mocks.lockMany.mockImplementation(async (_e: number, ids: number[]) => {
      if (ids.includes(5)) throw new ApiError(403, 'queue_turn_expired', 'over');
      return { success: true, seats: ids.map((id) => held(SEATS[id - 1], 4)) };
    });
    fireEvent.click(screen.getByTestId('find-seats-alternative'));
    await waitFor(() => expect(onTurnLost).toHaveBeenCalledTimes(1));
    expect(mocks.lockMany).toHaveBeenCalledWith(7, [5, 6], 'turn-1');
    expect(onTurnLost.mock.calls[0][0]).toMatch(/turn has ended/);

    // A search refused for the same reason says so too.
    mocks.best.mockRejectedValueOnce(new ApiError(403, 'queue_turn_required', 'no turn'));
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    fireEvent.click(screen.getByTestId('find-seats-add')); // the buyer holds seats: add to them
    await waitFor(() => expect(onTurnLost).toHaveBeenCalledTimes(2));
    expect(mocks.best).toHaveBeenLastCalledWith(7, { count: 2 }, 'turn-1');
    expect(result().textContent).toMatch(/needs your turn from the waiting room/);
  });

  it('finds and holds a block, says where, and offers the alternatives', async () => {
    const { store, focus, onHeld } = mount();
    mocks.best.mockResolvedValue({ success: true, seats: SEATS.slice(0, 3).map((s) => held(s)), together: true, alternatives: [[4, 5, 6]] });
    fireEvent.change(screen.getByTestId('find-seats-count'), { target: { value: '3' } });
    fireEvent.change(screen.getByTestId('find-seats-category'), { target: { value: '1' } });
    fireEvent.change(screen.getByTestId('find-seats-accessible'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('find-seats-submit'));

    await waitFor(() =>
      expect(result().textContent).toBe('Found 3 seats together: Stalls, row F, seats 8–10. Wheelchair space: seat 8. They are held for you.'),
    );
    expect(mocks.best).toHaveBeenCalledWith(7, { count: 3, category: 1, accessible: 1 });
    expect(store.getHeld().map((s) => s.id)).toEqual([1, 2, 3]);
    expect(focus.activeId).toBe(1); // Tab into the map lands on the block
    expect(onHeld.mock.calls).toEqual([[[1, 2, 3]]]); // for the map to show it
    const alternative = screen.getByTestId('find-seats-alternative');
    expect(alternative.textContent).toBe('Take these instead: row G, seats 4–6');

    // Taking it gives back row F and holds row G.
    mocks.unlock.mockImplementation(async (_e: number, id: number) => ({ seat: { ...SEATS[id - 1], version: 3 } }));
    mocks.lockMany.mockResolvedValue({ success: true, seats: SEATS.slice(3).map((s) => held(s)) });
    act(() => alternative.focus());
    fireEvent.click(alternative);
    await waitFor(() => expect(result().textContent).toBe('Now holding Stalls, row G, seats 4–6 instead.'));
    // The pressed button is gone; the keyboard stays with the offers.
    expect(document.activeElement).toBe(screen.getByTestId('find-seats-alternative'));
    expect(mocks.unlock.mock.calls.map((c) => c[1])).toEqual([1, 2, 3]);
    expect(mocks.lockMany).toHaveBeenCalledWith(7, [4, 5, 6]);
    expect(store.getHeld().map((s) => s.id)).toEqual([4, 5, 6]);
    expect(onHeld.mock.calls).toEqual([[[1, 2, 3]], [[4, 5, 6]]]);
    // The block given back is offered in its turn.
    expect(screen.getByTestId('find-seats-alternative').textContent).toBe('Take these instead: row F, seats 8–10');
  });

  it('says when the seats are not all side by side', async () => {
    mount();
    mocks.best.mockResolvedValue({ success: true, seats: [held(SEATS[0]), held(SEATS[3])], together: false, alternatives: [] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(result().textContent).toMatch(/^Found 2 seats, not all side by side: Stalls, row F, seat 8; row G, seat 4\./));
    expect(screen.queryByTestId('find-seats-alternative')).toBeNull();
  });

  it('an alternative someone else takes is no longer offered', async () => {
    const { store } = mount();
    mocks.best.mockResolvedValue({ success: true, seats: SEATS.slice(0, 2).map((s) => held(s)), together: true, alternatives: [[4, 5], [5, 6]] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(screen.getAllByTestId('find-seats-alternative')).toHaveLength(2));
    act(() => {
      store.applyPushed([{ id: 4, status: 'locked', version: 2, locked_until: LATER }]);
    });
    expect(screen.getAllByTestId('find-seats-alternative').map((b) => b.textContent)).toEqual(['Take these instead: row G, seats 5–6']);
  });

  it('when the alternative was taken meanwhile, keeps the block and says so', async () => {
    const { store, onHeld } = mount();
    mocks.best.mockResolvedValue({ success: true, seats: SEATS.slice(0, 3).map((s) => held(s)), together: true, alternatives: [[4, 5, 6]] });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    const alternative = await screen.findByTestId('find-seats-alternative');
    mocks.unlock.mockImplementation(async (_e: number, id: number) => ({ seat: { ...SEATS[id - 1], version: 3 } }));
    mocks.lockMany
      .mockRejectedValueOnce(new ApiError(409, 'seat_unavailable', 'Seat G5 is already held', { seats: [5] }))
      .mockResolvedValueOnce({ success: true, seats: SEATS.slice(0, 3).map((s) => held(s, 4)) });
    fireEvent.click(alternative);
    await waitFor(() =>
      expect(result().textContent).toBe('Someone else took Stalls, row G, seats 4–6 a moment ago. You still hold Stalls, row F, seats 8–10.'),
    );
    expect(store.getHeld().map((s) => s.id)).toEqual([1, 2, 3]);
    expect(onHeld).toHaveBeenCalledTimes(1); // the block did not move: nor does the map
  });

  it('keeps a chosen section in sight when the room no longer offers it, and says so there', () => {
    const { roomNowHas } = mount(true, ['Stalls', 'Circle']);
    fireEvent.change(screen.getByTestId('find-seats-section'), { target: { value: 'Circle' } });
    roomNowHas(['Stalls']);
    fireEvent.submit(screen.getByTestId('find-seats'));
    const section = screen.getByTestId('find-seats-section') as HTMLSelectElement;
    expect(section.value).toBe('Circle');
    expect(section.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose a section from the list.')).toBeTruthy();
    expect(document.activeElement).toBe(section);
    expect(mocks.best).not.toHaveBeenCalled();
  });

  it('points at the field that is wrong and asks nothing of the server', () => {
    mount();
    fireEvent.change(screen.getByTestId('find-seats-accessible'), { target: { value: '3' } });
    fireEvent.submit(screen.getByTestId('find-seats'));
    const spaces = screen.getByTestId('find-seats-accessible');
    expect(spaces.getAttribute('aria-invalid')).toBe('true');
    const error = screen.getByText('At most 2 of 2 seats can be wheelchair spaces.');
    expect(spaces.getAttribute('aria-describedby')).toContain(error.id);
    expect(document.activeElement).toBe(spaces);
    expect(mocks.best).not.toHaveBeenCalled();
    // Correcting the field clears its error.
    fireEvent.change(spaces, { target: { value: '1' } });
    expect(spaces.getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByText('At most 2 of 2 seats can be wheelchair spaces.')).toBeNull();
  });

  it('refuses more seats than can be held', () => {
    mount(true, ['Stalls'], true, { buyer: { held: 0, booked: 0, purchase_limit: 10, hold_limit: 10, may_take: 10, most_at_once: 10 } });
    fireEvent.change(screen.getByTestId('find-seats-count'), { target: { value: '11' } });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    expect(screen.getByText('You can hold at most 10 seats at once.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('find-seats-count'));
    expect(mocks.best).not.toHaveBeenCalled();
  });

  it('refuses more seats than the purchase limit leaves beside the seats booked, as the server counted them', () => {
    // Booked in another tab: the map shows none of them, the server's count has them.
    mount(true, ['Stalls'], true, { buyer: { held: 0, booked: 2, purchase_limit: 4, hold_limit: 10, may_take: 2, most_at_once: 2 } });
    expect(screen.getByTestId('find-seats-count').getAttribute('max')).toBe('2');
    fireEvent.change(screen.getByTestId('find-seats-count'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    expect(
      screen.getByText('You can take 2 more: one buyer may have 4 seats of this event, held and booked together, and you have booked 2.'),
    ).toBeTruthy();
    expect(mocks.best).not.toHaveBeenCalled();
  });

  it('says plainly when nothing fits', async () => {
    const { store, onHeld } = mount();
    mocks.best.mockRejectedValue(new ApiError(409, 'no_block', 'No block'));
    fireEvent.change(screen.getByTestId('find-seats-count'), { target: { value: '4' } });
    fireEvent.change(screen.getByTestId('find-seats-category'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(result().textContent).toBe('No 4 seats together are left in Premium. Try fewer seats or another price.'));
    expect(store.getHeld()).toEqual([]);
    expect(screen.queryByTestId('find-seats-alternative')).toBeNull();
    expect(onHeld).not.toHaveBeenCalled();
  });

  it('in the cooldown after a run of holds, says when the buyer may hold again and asks nothing', async () => {
    const again = Date.now() + 60_000;
    mount(true, ['Stalls'], true, { holdAgainAt: again });
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(result().textContent).toBe(holdAgainText(again)));
    expect(mocks.best).not.toHaveBeenCalled();
  });

  it('finds again once the cooldown is over', async () => {
    mount(true, ['Stalls'], true, { holdAgainAt: Date.now() - 1 });
    mocks.best.mockRejectedValue(new ApiError(409, 'no_block', 'No block'));
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(mocks.best).toHaveBeenCalledTimes(1));
  });

  it('says when the server is out of reach or busy', async () => {
    mount();
    mocks.best.mockRejectedValueOnce(new ApiError(429, 'throttled', 'slow', {}, 5));
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(result().textContent).toBe('Too many requests. Please wait 5 s and try again.'));
    mocks.best.mockRejectedValueOnce(new ApiError(0, 'network', 'offline'));
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    await waitFor(() => expect(result().textContent).toBe("Can't reach the server. Check your connection and try again."));
  });

  it('is disabled for a watcher who is not logged in', () => {
    mount(false);
    const submit = screen.getByTestId('find-seats-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    expect(submit.textContent).toBe('Log in to find seats');
    expect(screen.getByTestId('find-seats-count').matches(':disabled')).toBe(true); // inside the disabled fieldset
    expect(screen.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe('/login?next=%2Fevents%2F7');
    fireEvent.submit(screen.getByTestId('find-seats'));
    expect(mocks.best).not.toHaveBeenCalled();
  });

  it('keeps the store right when the push of the hold comes before the answer', async () => {
    const { store } = mount();
    let answer!: (value: unknown) => void;
    mocks.best.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    fireEvent.click(screen.getByTestId('find-seats-submit'));
    act(() => {
      store.applyPushed(SEATS.slice(0, 2).map((s) => ({ id: s.id, status: 'locked' as const, version: 2, locked_until: LATER })));
    });
    expect(seatKind(store.getSeat(1)!)).toBe('held-other');
    await act(async () => answer({ success: true, seats: SEATS.slice(0, 2).map((s) => held(s)), together: true, alternatives: [] }));
    expect(store.getHeld().map((s) => s.id)).toEqual([1, 2]);
  });
});
