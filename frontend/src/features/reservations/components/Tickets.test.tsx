// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tickets } from './Tickets';

vi.mock('../api/reservations', () => ({
  fetchTickets: (id: number) =>
    Promise.resolve({ tickets: [{ ticket: id, seat: { id, label: `A${id}`, section: 'Floor', row: 'A' }, name: 'alice', code: `CODE${id}`, qr: 'data:image/svg+xml,' }] }),
}));

describe('Tickets', () => {
  afterEach(cleanup);

  it('names each open list of tickets by its own heading (My reservations may open several)', async () => {
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>
        <Tickets reservationId={1} />
        <Tickets reservationId={2} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getAllByRole('region', { name: 'Your tickets' })).toHaveLength(2));
    const lists = screen.getAllByRole('region', { name: 'Your tickets' });
    const headings = lists.map((list) => list.getAttribute('aria-labelledby'));
    expect(new Set(headings).size).toBe(2);
  });
});
