import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { fetchLimits, type LimitsBody } from '../api/console';
import type { ConsoleActions } from '../hooks/useConsoleActions';
import { refusalText } from '../model/refusals';
import type { Told } from './OffSaleForms';

/**
 * The event's rules for buyers: its purchase limit (how many seats one account may hold and
 * have booked together), whether only buyers with a confirmed e-mail may hold seats, and
 * whether holds are limited per network too (with what that costs buyers on a shared address).
 * Everyone in the console reads them; a Manager (`change_event`) sets them, or goes back to the
 * site's default limit. Every hold and booking after the change follows the new rules.
 */
/** The event's on/off rules for buyers, as the limits route names them. */
type Switch = 'holds_need_verified_email' | 'holds_limited_per_network';

export function LimitsForm({ eventId, mayChange, limit, tell }: { eventId: number; mayChange: boolean; limit: ConsoleActions['limit']; tell: Told }) {
  const ids = useId();
  const limits = useQuery({ queryKey: queryKeys.limits(eventId), queryFn: () => fetchLimits(eventId) });
  const [value, setValue] = useState('');
  const now = limits.data;
  const save = (purchaseLimit: number | null) =>
    limit.mutate(
      { purchase_limit: purchaseLimit },
      {
        onSuccess: (answer) => {
          setValue('');
          tell('ok', `Purchase limit: ${answer.effective} seats per buyer${answer.purchase_limit === null ? " (the site's default)" : ''}.`);
        },
        onError: (error) => tell('error', refusalText(error)),
      },
    );
  const turn = (body: LimitsBody, said: string) =>
    limit.mutate(body, { onSuccess: () => tell('ok', said), onError: (error) => tell('error', refusalText(error)) });
  /** One of the event's on/off rules: a checkbox that sets `field`, saying `said[on]` once set. */
  const switchOf = (field: Switch, testId: string, label: string, said: [off: string, on: string], describedBy?: string) => (
    <label className="console-check" data-testid={testId}>
      <input
        type="checkbox"
        checked={now?.[field] ?? false}
        disabled={!mayChange || !now || limit.isPending}
        onChange={(event) => turn({ [field]: event.target.checked }, said[Number(event.target.checked)])}
        aria-describedby={describedBy}
      />{' '}
      {label}
    </label>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save(Number(value));
  };
  return (
    <section className="console-panel" aria-labelledby={`${ids}-title`} data-testid="limits">
      <h2 id={`${ids}-title`}>Purchase limit</h2>
      <p data-testid="purchase-limit">
        {now ? `${now.effective} seats per buyer, held and booked together${now.purchase_limit === null ? " (the site's default)" : ''}.` : '…'}
      </p>
      {mayChange && (
        <form className="console-form" onSubmit={submit}>
          <label>
            Seats per buyer <input type="number" min={1} max={100000} required value={value} onChange={(event) => setValue(event.target.value)} />
          </label>
          <button type="submit" className="button button--small" disabled={limit.isPending}>
            Set
          </button>
          {now?.purchase_limit !== null && (
            <button type="button" className="button button--small" disabled={limit.isPending} onClick={() => save(null)}>
              Use the site's default
            </button>
          )}
        </form>
      )}
      {switchOf('holds_need_verified_email', 'verified-only', 'Only buyers with a confirmed e-mail may hold seats', [
        'Every logged-in buyer can hold seats now.',
        'Only buyers with a confirmed e-mail can hold seats now.',
      ])}
      {switchOf(
        'holds_limited_per_network',
        'per-network',
        'Limit holds per network as well as per buyer',
        ['Holds are limited per buyer only now.', 'Holds are limited per network now, as well as per buyer.'],
        `${ids}-per-network`,
      )}
      <p className="hint" id={`${ids}-per-network`}>
        One network (a home, an office, a phone carrier's shared address) then holds at most the site's cap of seats at once, and a seat one of its accounts let go is not given to
        another of them for a few minutes. It stops one person with many accounts, but buyers who share an address share that cap: on a carrier's shared address thousands of
        strangers do, and at the busiest minute some of them are refused seats. Off unless you turn it on.
      </p>
    </section>
  );
}
