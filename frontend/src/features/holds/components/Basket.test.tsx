// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeatStore, type ApiSeat } from '../../seat-map';
import { Basket } from './Basket';

const NOW = Date.parse('2026-12-22T10:00:00Z');

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

  it('lists held seats with their countdown and the exact total, and counts down', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, '50.00', 300), held(2, '0.10', 300), held(3, '0.20', 120)]);
    render(<Basket store={store} onRelease={() => {}} onReserve={() => {}} reserving={false} />);
    expect(screen.getAllByText('4:59')).toHaveLength(2);
    expect(screen.getByText('1:59')).toBeTruthy();
    expect(screen.getByTestId('basket-total').textContent).toBe('50.30');
    expect(screen.getByRole('button', { name: 'Reserve 3 seats' })).toBeTruthy();
    expect(screen.getByLabelText('A1 hold: 4 minutes 59 seconds left')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getAllByText('3:59')).toHaveLength(2);
    expect(screen.getByText('0:59')).toBeTruthy();
  });

  it('is empty with a disabled Reserve', () => {
    render(<Basket store={new SeatStore()} onRelease={() => {}} onReserve={() => {}} reserving={false} />);
    expect(screen.getByTestId('basket-total').textContent).toBe('0.00');
    expect((screen.getByRole('button', { name: 'Reserve' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
