// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeatStore, type ApiSeat } from '../../seat-map';
import { holdAgainText } from '../../../lib/error-messages';
import { formatClockTime, formatPrice } from '../../../lib/format';
import { Basket, BasketBar } from './Basket';

const NOW = Date.parse('2026-12-22T10:00:00Z');
/** What `holds/run/` counted of the buyer's seats. */
const told = (held: number, booked: number, purchase_limit: number, hold_limit: number, may_take: number) => ({ held, booked, purchase_limit, hold_limit, may_take, most_at_once: Math.max(0, Math.min(hold_limit, purchase_limit - booked)) });

function held(id: number, price: string, seconds: number): ApiSeat {
  return {
    id,
    label: `A${id}`,
    section: 'Floor',
    row: 'A',
    number: id,
    price,
    status: 'locked',
    version: 1,
    locked_until: new Date(NOW + seconds * 1000).toISOString(),
    mine: true,
  };
}

describe('Basket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW + 300); // a moment after the lock answer
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('lists held seats by place with their own countdown, one basket timer for the first to end, and the exact total', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, '50.00', 300), held(2, '0.10', 300), held(3, '0.20', 120)]);
    render(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} currency="GBP" buyer={told(3, 0, 10, 10, 7)} />);
    const list = screen.getByRole('list', { name: 'Held seats' });
    expect(within(list).getAllByText('4:59')).toHaveLength(2);
    expect(within(list).getByText('1:59')).toBeTruthy();
    expect(screen.getAllByRole('timer')).toHaveLength(1);
    expect(screen.getByTestId('basket-timer').textContent).toBe('1:59');
    expect(screen.getByTestId('basket-total').textContent).toBe(formatPrice('50.30', 'GBP'));
    expect(screen.getByTestId('basket-total').textContent).toMatch(/£/);
    expect(screen.getByRole('button', { name: 'Reserve 3 seats' })).toBeTruthy();
    expect(screen.getByText('Floor · Row A · Seat 1')).toBeTruthy();
    expect(screen.getByLabelText('Floor · Row A · Seat 1 hold: 4 minutes 59 seconds left')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Release Floor · Row A · Seat 1' })).toBeTruthy();
    expect(screen.getByTestId('basket-limit').textContent).toBe('3 of 10 seats held');
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(within(list).getAllByText('3:59')).toHaveLength(2);
    expect(screen.getByTestId('basket-timer').textContent).toBe('0:59');
  });

  it('says the event\u2019s limits before they are hit, and at them', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, '50.00', 300), held(2, '50.00', 300)]);
    render(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} buyer={told(2, 0, 6, 2, 0)} />);
    expect(screen.getByTestId('basket-limit').textContent).toBe('2 of 6 seats held: the most you can hold at once');
  });

  it('says the buyer\u2019s seats as the server counted them, booked ones and other tabs\u2019 included', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, '50.00', 300)]);
    const { rerender } = render(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} buyer={told(2, 1, 4, 10, 1)} />);
    expect(screen.getByTestId('basket-limit').textContent).toBe('3 of 4 seats: 2 held, 1 booked');
    rerender(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} buyer={told(0, 3, 4, 10, 1)} />);
    expect(screen.getByTestId('basket-limit').textContent).toBe('3 of 4 seats booked');
  });

  it('says no limit it has not read yet', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, '50.00', 300)]);
    render(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} />);
    expect(screen.getByTestId('basket-limit').textContent).toBe('1 seat held');
  });

  it('the phone\u2019s bar: count, total in the currency, one timer and Reserve; nothing while no seat is held', () => {
    const store = new SeatStore();
    const onReserve = vi.fn();
    const { container } = render(<BasketBar store={store} onReserve={onReserve} reserving={false} />);
    expect(container.textContent).toBe('');
    act(() => {
      store.loadFromApi([held(1, '50.00', 300), held(2, '85.00', 90)]);
    });
    expect(screen.getByTestId('basket-bar-count').textContent).toBe('2 seats');
    expect(screen.queryByText(/ of /)).toBeNull(); // no limit before the server's count is read
    expect(screen.getByTestId('basket-bar-total').textContent).toBe(formatPrice('135.00', 'EUR'));
    expect(screen.getByTestId('basket-bar-timer').textContent).toBe('1:29');
    fireEvent.click(screen.getByRole('button', { name: 'Reserve 2 seats' }));
    expect(onReserve).toHaveBeenCalledTimes(1);
  });

  it('says, empty, when a buyer in the cooldown after their run of holds may hold again; else how to start', () => {
    const again = NOW + 300_000;
    const { rerender } = render(<Basket store={new SeatStore()} onRelease={() => {}} onReserve={() => {}} reserving={false} holdAgainAt={again} />);
    expect(screen.getByTestId('basket-hint').textContent).toBe(holdAgainText(again));
    expect(screen.getByTestId('basket-hint').textContent).toContain(formatClockTime(again));
    rerender(<Basket store={new SeatStore()} onRelease={() => {}} onReserve={() => {}} reserving={false} holdAgainAt={null} />);
    expect(screen.getByTestId('basket-hint').textContent).toBe('Click a free seat to hold it for a few minutes.');
  });

  it('is empty with a disabled Reserve', () => {
    render(<Basket store={new SeatStore()} onRelease={() => {}} onReserve={() => {}} reserving={false} />);
    expect(screen.getByTestId('basket-total').textContent).toBe(formatPrice('0.00', 'EUR'));
    expect(screen.queryByRole('timer')).toBeNull();
    expect((screen.getByRole('button', { name: 'Reserve' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
