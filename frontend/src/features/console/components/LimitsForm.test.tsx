// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../../../lib/query-keys';
import type { Limits } from '../api/console';
import type { ConsoleActions } from '../hooks/useConsoleActions';
import { LimitsForm } from './LimitsForm';

afterEach(cleanup);

const limits: Limits = { event_id: 7, purchase_limit: null, effective: 10, holds_need_verified_email: false, holds_limited_per_network: false };

function form(mayChange: boolean) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(queryKeys.limits(7), limits);
  const limit = { mutate: vi.fn(), isPending: false } as unknown as ConsoleActions['limit'];
  render(
    <QueryClientProvider client={client}>
      <LimitsForm eventId={7} mayChange={mayChange} limit={limit} tell={() => {}} />
    </QueryClientProvider>,
  );
  return { limit, perNetwork: screen.getByRole('checkbox', { name: 'Limit holds per network as well as per buyer' }) as HTMLInputElement };
}

describe('the rules of holds per network in the console', () => {
  it('are off unless the organiser turns them on, with their cost to buyers on a shared address said beside the switch', () => {
    const { limit, perNetwork } = form(true);
    expect(perNetwork.checked).toBe(false);
    expect(perNetwork.getAttribute('aria-describedby')).toBeTruthy();
    const hint = document.getElementById(perNetwork.getAttribute('aria-describedby')!)!;
    expect(hint.textContent).toContain("a phone carrier's shared address");
    expect(hint.textContent).toContain('some of them are refused seats');
    fireEvent.click(perNetwork);
    expect(limit.mutate).toHaveBeenCalledWith({ holds_limited_per_network: true }, expect.anything());
  });

  it('are shown, not changed, to whoever may only watch the sale', () => {
    expect(form(false).perNetwork.disabled).toBe(true);
  });
});
