// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventSummary } from '../api/events';
import { EventList } from './EventList';

const listed = vi.hoisted(() => ({ items: [] as unknown[] }));
vi.mock('../hooks/useEvents', () => ({
  useEvents: () => ({ items: listed.items, isPending: false, isError: false, error: null, hasNextPage: false, total: listed.items.length }),
}));

function event(id: number, name: string, queue: EventSummary['queue']): EventSummary {
  return {
    id,
    name,
    venue: 'Main Hall',
    description: '',
    starts_at: '2026-12-24T20:00:00Z',
    price_min: '50.00',
    price_max: '50.00',
    seats_total: 40,
    seats_available: 40,
    currency: 'EUR',
    queue,
  } as EventSummary;
}

describe('EventList', () => {
  afterEach(cleanup);

  it('says when the waiting room opens and the sale starts, for an event that has one', () => {
    listed.items = [
      event(1, 'Queued night', { opens_at: '2026-12-01T09:00:00Z', on_sale_at: '2026-12-01T10:00:00Z' }),
      event(2, 'Plain night', null),
    ];
    render(
      <MemoryRouter>
        <EventList />
      </MemoryRouter>,
    );
    const [queued, plain] = screen.getAllByRole('listitem');
    expect(within(queued).getByText('Sale').nextElementSibling?.textContent).toMatch(/^Waiting room from .+, on sale at .+$/);
    expect(within(queued).getAllByText((_, el) => el?.tagName === 'TIME').map((t) => t.getAttribute('datetime'))).toContain('2026-12-01T10:00:00Z');
    expect(within(plain).queryByText('Sale')).toBeNull();
  });
});
