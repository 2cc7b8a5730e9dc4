// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TurnBar } from './TurnBar';

const END = '2026-12-01T10:10:00Z';

describe('TurnBar', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-12-01T10:00:19Z'));
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('counts the turn down, says once when it nears its end, and offers more time once', () => {
    const onExtend = vi.fn();
    const { rerender } = render(<TurnBar turn={{ token: 't', expires_at: END, extended: false }} onExtend={onExtend} extending={false} />);
    expect(screen.getByTestId('turn-bar').textContent).toMatch(/^Your turn: 9:41 left/);
    expect(screen.getByTestId('turn-said').textContent).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'I need more time' }));
    expect(onExtend).toHaveBeenCalledTimes(1);

    act(() => vi.advanceTimersByTime(9 * 60_000));
    expect(screen.getByTestId('turn-countdown').textContent).toBe('0:41');
    expect(screen.getByTestId('turn-said').textContent).toMatch(/ends in less than a minute/);

    // extended: the end moves, the button goes (once per turn)
    rerender(<TurnBar turn={{ token: 't', expires_at: '2026-12-01T10:20:00Z', extended: true }} onExtend={onExtend} extending={false} />);
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByTestId('turn-countdown').textContent).toBe('10:40');
    expect(screen.queryByRole('button', { name: 'I need more time' })).toBeNull();
  });

  it('tells the tab strip that the turn runs, and stops once it is over or gone', () => {
    document.title = 'Seat map';
    const { unmount } = render(<TurnBar turn={{ token: 't', expires_at: '2026-12-01T10:00:25Z', extended: false }} onExtend={vi.fn()} extending={false} />);
    expect(document.title).toBe('Your turn · Seat map');
    act(() => vi.advanceTimersByTime(7000));
    expect(document.title).toBe('Seat map');
    unmount();
    expect(document.title).toBe('Seat map');
  });

  it('says the turn is over, and that held seats can still be booked', () => {
    render(<TurnBar turn={{ token: 't', expires_at: '2026-12-01T10:00:20Z', extended: false }} onExtend={vi.fn()} extending={false} />);
    act(() => vi.advanceTimersByTime(2000));
    expect(screen.getByTestId('turn-bar').textContent).toMatch(/^Your turn has ended\./);
    expect(screen.getByTestId('turn-said').textContent).toBe('Your turn has ended. You can still book the seats you hold.');
    expect(screen.queryByRole('button', { name: 'I need more time' })).toBeNull();
  });
});
