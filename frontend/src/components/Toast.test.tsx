// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOAST_FADE_MS, Toast, type ToastMessage } from './Toast';

describe('Toast', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('is a polite live region before any message arrives, so the first one is heard', () => {
    render(<Toast message={null} onDismiss={() => {}} />);
    const region = screen.getByTestId('toast-region');
    expect(region.getAttribute('role')).toBe('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
  });

  it('keeps an error until it is dismissed, with its link', () => {
    const onDismiss = vi.fn();
    const message: ToastMessage = { tone: 'login', text: 'Log in to hold seats.', actions: <a href="/login">Log in</a> };
    render(<Toast message={message} onDismiss={onDismiss} />);
    act(() => void vi.advanceTimersByTime(TOAST_FADE_MS * 3));
    expect(onDismiss).not.toHaveBeenCalled();
    expect(screen.getByRole('link', { name: 'Log in' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss message' }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('lets a success fade after a few seconds, counted again for a new one', () => {
    const onDismiss = vi.fn();
    const { rerender } = render(<Toast message={{ tone: 'ok', text: 'Holding A1 for you.' }} onDismiss={onDismiss} />);
    act(() => void vi.advanceTimersByTime(TOAST_FADE_MS - 100));
    rerender(<Toast message={{ tone: 'ok', text: 'Holding A2 for you.' }} onDismiss={onDismiss} />);
    act(() => void vi.advanceTimersByTime(TOAST_FADE_MS - 100));
    expect(onDismiss).not.toHaveBeenCalled();
    act(() => void vi.advanceTimersByTime(200));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });
});
