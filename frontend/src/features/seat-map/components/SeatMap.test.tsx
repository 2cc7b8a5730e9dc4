// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildLayout } from '../model/layout';
import { RovingFocus } from '../model/rovingFocus';
import type { ApiSeat } from '../model/seat';
import { SeatStore } from '../model/seatStore';
import { SeatMap } from './SeatMap';

// Seat renders, counted from outside: every render of a SeatButton (and nothing else on this
// map) asks whether its seat is the focus stop.
const renders = vi.hoisted((): number[] => []);
vi.mock('../hooks/useSeat', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../hooks/useSeat')>();
  return {
    ...actual,
    useIsFocusStop: (...args: Parameters<typeof actual.useIsFocusStop>) => {
      renders.push(args[1]);
      return actual.useIsFocusStop(...args);
    },
  };
});

function bigEvent(rows: number, perRow: number): ApiSeat[] {
  const seats: ApiSeat[] = [];
  for (let r = 0; r < rows; r += 1) {
    const row = String.fromCharCode(65 + (r % 26)) + (r >= 26 ? String(Math.floor(r / 26)) : '');
    for (let n = 1; n <= perRow; n += 1) {
      seats.push({
        id: r * perRow + n,
        label: `${row}${n}`,
        section: r < rows / 2 ? 'Floor' : 'Balcony',
        row,
        number: n,
        price: r < rows / 2 ? '50.00' : '120.00',
        status: 'available',
        version: 1,
        locked_until: null,
        mine: false,
      });
    }
  }
  return seats;
}

function mount(seats: ApiSeat[], onSeat = vi.fn()) {
  const store = new SeatStore();
  store.loadFromApi(seats);
  const focus = new RovingFocus();
  const layout = buildLayout(seats);
  focus.setActive(layout.rows[0].seatIds[0]);
  renders.length = 0;
  render(<SeatMap layout={layout} store={store} focus={focus} onSeat={onSeat} />);
  return { store, focus, renders, onSeat };
}

afterEach(() => {
  cleanup();
});

describe('SeatMap', () => {
  it('renders one labelled button per seat, grouped by row', () => {
    mount(bigEvent(2, 3));
    expect(screen.getAllByRole('button')).toHaveLength(6);
    expect(screen.getByRole('button', { name: 'A1, Floor, 50.00, available' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Balcony, row B' })).toBeTruthy();
  });

  it('renders a 10,000-seat map in steps, first rows at once', async () => {
    mount(bigEvent(100, 100));
    const first = document.querySelectorAll('[data-seat-id]').length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(1_500);
    await waitFor(() => expect(document.querySelectorAll('[data-seat-id]')).toHaveLength(10_000), { timeout: 60_000 });
  }, 90_000);

  it('re-renders only the changed seat when a change is pushed (10,000 seats)', async () => {
    const t = mount(bigEvent(100, 100));
    await waitFor(() => expect(document.querySelectorAll('[data-seat-id]')).toHaveLength(10_000), { timeout: 60_000 });
    expect(t.renders.length).toBeGreaterThanOrEqual(10_000);
    t.renders.length = 0;
    act(() => {
      t.store.applyPushed([{ id: 5050, status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z' }]);
    });
    expect(t.renders).toEqual([5050]);
    const seat = document.querySelector('[data-seat-id="5050"]')!;
    expect(seat.getAttribute('aria-label')).toMatch(/held by someone else$/);
    expect(seat.className).toContain('seat--held-other');
  }, 90_000);

  it('marks held-by-me as pressed and booked as disabled', () => {
    const t = mount(bigEvent(1, 3));
    act(() => {
      t.store.applyOwnAnswer({ ...bigEvent(1, 3)[0], status: 'locked', version: 2, locked_until: '2099-01-01T00:00:00Z', mine: true });
      t.store.applyPushed([{ id: 2, status: 'reserved', version: 2, locked_until: null }]);
    });
    expect(screen.getByRole('button', { name: 'A1, Floor, 50.00, held by you' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'A2, Floor, 50.00, booked' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('is one Tab stop; arrows move between seats and rows; Enter and clicks reach onSeat', () => {
    const t = mount(bigEvent(2, 3));
    const a1 = screen.getByRole('button', { name: /^A1,/ });
    expect(a1.tabIndex).toBe(0);
    expect(screen.getByRole('button', { name: /^A2,/ }).tabIndex).toBe(-1);
    a1.focus();
    fireEvent.keyDown(a1, { key: 'ArrowRight' });
    const a2 = screen.getByRole('button', { name: /^A2,/ });
    expect(document.activeElement).toBe(a2);
    expect(a2.tabIndex).toBe(0);
    expect(a1.tabIndex).toBe(-1);
    fireEvent.keyDown(a2, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^B2,/ }));
    fireEvent.click(screen.getByRole('button', { name: /^B3,/ }));
    expect(t.onSeat).toHaveBeenCalledWith(6);
  });
});
