// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueFrame } from '../../../lib/protocol-types';
import type { QueuePlace } from '../api/queue';
import { queuePosition } from '../model/position';
import { mergeQueue } from '../model/room';
import { place as ownPlace, queueStatus } from '../../../test/waitingRoom';
import { WaitingRoomScreen } from './WaitingRoomScreen';

function screenFor(patch: Partial<QueueFrame>, place: QueuePlace | null = ownPlace({ number: 12_345 }), loggedIn = true) {
  const view = mergeQueue(queueStatus({ serving: 8023, rate: 500, show_share: 0.8, seats_per_order: 2.4, seats_left: 1104, ...patch }, place), null, null)!;
  const position = place?.number != null ? queuePosition(view.queue, place.number) : null;
  return (
    <MemoryRouter>
      <WaitingRoomScreen eventId={1} view={view} position={position} loggedIn={loggedIn} loginLink="/login?next=%2Fevents%2F1" loading={false} error={null} claiming={false} />
    </MemoryRouter>
  );
}

const announced = () => screen.getByTestId('queue-announcement').textContent;

describe('WaitingRoomScreen', () => {
  afterEach(cleanup);

  it('shows where the buyer stands, their entry and the proof', () => {
    render(screenFor({ seats_left: 20_000 }));
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('The sale is on');
    expect(screen.getByTestId('queue-position').textContent).toBe('No. 12,345 · 4,321 ahead · about 6-9 min · 20,000 seats left');
    expect(screen.getByTestId('queue-entry').textContent).toBe('k7x2q9c4m1d8');
    expect(screen.getByRole('link', { name: /proof/ }).getAttribute('href')).toBe('/api/events/1/queue/proof/');
    expect(screen.queryByTestId('queue-warning')).toBeNull();
  });

  it('warns when those ahead are likely to take what is left', () => {
    render(screenFor({ seats_left: 1104 }));
    expect(screen.getByTestId('queue-warning').textContent).toMatch(/likely to take the 1,104 seats left/);
  });

  it('says the position politely, and not again while it moves within its band', () => {
    const { rerender } = render(screenFor({ serving: 8023, seats_left: 20_000 }));
    const first = announced();
    expect(first).toBe('You are number 12,345. Fewer than 5,000 people are ahead of you.');
    expect(screen.getByTestId('queue-announcement').getAttribute('aria-live')).toBe('polite');
    for (const serving of [8100, 8500, 9000, 11_000]) {
      rerender(screenFor({ serving, seats_left: 20_000, at: `2026-12-01T10:0${serving % 7}:00Z` }));
      expect(announced()).toBe(first);
    }
    // the line for the eyes moved on meanwhile
    expect(screen.getByTestId('queue-position').textContent).toMatch(/^No\. 12,345 · 1,344 ahead/);
    rerender(screenFor({ serving: 11_400, seats_left: 20_000 }));
    expect(announced()).toBe('You are number 12,345. Fewer than 1,000 people are ahead of you.');
    rerender(screenFor({ serving: 11_400, seats_left: 0, state: 'sold_out' }));
    expect(announced()).toBe('Sold out: every seat has been booked.');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Sold out');
  });

  it('before the sale: the countdown, how the draw works and its commitment', () => {
    render(screenFor({ state: 'pre_queue', drawn: false, serving: 0, on_sale_at: '2099-01-01T10:00:00Z', commitment: 'abc123' }, ownPlace({ number: null })));
    expect(screen.getByTestId('sale-countdown').textContent).toMatch(/days/);
    expect(screen.getByRole('heading', { name: 'How the draw works' })).toBeTruthy();
    expect(screen.getByTestId('queue-commitment').textContent).toBe('abc123');
    expect(screen.getByTestId('queue-position').textContent).toMatch(/drawn when the sale starts: when you came does not matter/);
  });

  it('once the sale has started, says the number comes with the draw', () => {
    render(screenFor({ state: 'draw', drawn: false, serving: 0 }, ownPlace({ number: null })));
    expect(screen.getByTestId('queue-position').textContent).toBe('You have a place. Your number comes in a moment.');
    expect(screen.queryByTestId('sale-countdown')).toBeNull();
    expect(screen.getByRole('heading', { name: 'How the draw works' })).toBeTruthy();
  });

  it('asks a visitor to log in to take a place', () => {
    render(screenFor({ state: 'pre_queue' }, null, false));
    expect(screen.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe('/login?next=%2Fevents%2F1');
    expect(screen.queryByTestId('queue-position')).toBeNull();
    expect(announced()).toBe('The waiting room is open. Log in to take a place.');
  });

  it('says when the holds end while every seat is held', () => {
    render(screenFor({ state: 'held_out', seats_left: 0, holds_end_at: '2026-12-01T10:15:00Z' }));
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Every seat is held right now');
    expect(screen.getByText(/the last of those holds ends at/).textContent).toContain(
      new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(Date.parse('2026-12-01T10:15:00Z')),
    );
    expect(screen.queryByTestId('queue-warning')).toBeNull();
  });
});
