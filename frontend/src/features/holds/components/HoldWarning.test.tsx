// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeatStore, type ApiSeat } from '../../seat-map';
import { HoldWarning } from './HoldWarning';

const NOW = Date.parse('2026-12-22T10:00:00Z');

function held(id: number, seconds: number, version = 2): ApiSeat {
  return {
    id,
    label: `A${id}`,
    section: 'Floor',
    row: 'A',
    number: id,
    price: '50.00',
    status: 'locked',
    version,
    locked_until: new Date(NOW + seconds * 1000).toISOString(),
    mine: true,
  };
}

describe('HoldWarning (WCAG 2.2.1)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('stays silent, then warns 30 s before the first hold ends, in an assertive live region, with one button', () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, 45), held(2, 300)]);
    render(<HoldWarning store={store} onExtend={async () => []} />);
    const region = screen.getByTestId('hold-warning-live');
    expect(region.getAttribute('aria-live')).toBe('assertive');
    expect(region.textContent).toBe('');
    expect(screen.queryByRole('button', { name: 'Keep my seats' })).toBeNull();

    act(() => vi.advanceTimersByTime(14_000)); // 31 s left
    expect(region.textContent).toBe('');
    act(() => vi.advanceTimersByTime(2_000)); // 29 s left
    expect(region.textContent).toBe('Your hold on A1 ends in less than 30 seconds.');
    expect(screen.getByTestId('hold-warning-countdown').textContent).toBe('0:29');
    expect(screen.getByRole('button', { name: 'Keep my seats' })).toBeTruthy();

    act(() => vi.advanceTimersByTime(5_000));
    expect(region.textContent).toBe('Your hold on A1 ends in less than 30 seconds.'); // not re-read every second
    expect(screen.getByTestId('hold-warning-countdown').textContent).toBe('0:24');
  });

  it('"Keep my seats" extends every held seat; the warning goes once the holds are longer', async () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, 20), held(2, 300)]);
    const onExtend = vi.fn(async (ids: readonly number[]) => {
      store.loadFromApi(ids.map((id) => held(id, 300, 3)));
      return [];
    });
    render(<HoldWarning store={store} onExtend={onExtend} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Keep my seats' }));
    });
    expect(onExtend).toHaveBeenCalledWith([1, 2]);
    expect(screen.getByTestId('hold-warning-live').textContent).toBe('');
    expect(screen.queryByRole('button', { name: 'Keep my seats' })).toBeNull();
  });

  it('at the cap, says so and offers no button', async () => {
    const store = new SeatStore();
    store.loadFromApi([held(1, 20)]);
    render(<HoldWarning store={store} onExtend={async () => [1]} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Keep my seats' }));
    });
    expect(screen.getByTestId('hold-warning-live').textContent).toBe(
      "Your hold on A1 ends in less than 30 seconds and can't be extended any more. Reserve now to keep it.",
    );
    expect(screen.queryByRole('button', { name: 'Keep my seats' })).toBeNull();
  });
});
