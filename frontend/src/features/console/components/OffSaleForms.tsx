import { useId, useState, type FormEvent } from 'react';
import { countOf, formatDate } from '../../../lib/format';
import type { ConsoleActions } from '../hooks/useConsoleActions';
import { refusalText } from '../model/refusals';
import type { Selection } from '../model/selection';

/** What seats are kept back for, the organiser's own words beside them. */
export const PURPOSES = ['press', 'sponsor', 'production', 'accessible reserve'] as const;
const OTHER = 'other';

export type Told = (tone: 'ok' | 'error', text: string) => void;

interface OffSaleFormsProps {
  selection: Selection;
  actions: Pick<ConsoleActions, 'keep' | 'release'>;
  tell: Told;
  /** The change was made: the selection has served. */
  onDone: () => void;
}

/** A `datetime-local` value (the browser's time zone) as the API's ISO 8601, or null when empty. */
export function instantOf(local: string): string | null {
  if (!local) return null;
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Keep back, kill and release the selected seats (a Manager's: `keep_seats`). */
export function OffSaleForms({ selection, actions, tell, onDone }: OffSaleFormsProps) {
  const ids = useId();
  const [kind, setKind] = useState<'kept' | 'killed'>('kept');
  const [purpose, setPurpose] = useState<string>(PURPOSES[0]);
  const [ownPurpose, setOwnPurpose] = useState('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [releaseAt, setReleaseAt] = useState('');
  const seats = countOf(selection.length, 'seat');
  const none = selection.length === 0;
  const busy = actions.keep.isPending || actions.release.isPending;

  const take = (event: FormEvent) => {
    event.preventDefault();
    const named = purpose === OTHER ? ownPurpose.trim() : purpose;
    actions.keep.mutate(
      { seat_ids: [...selection], kind, purpose: kind === 'kept' ? named : '', reason: reason.trim(), until: kind === 'kept' ? instantOf(until) : null },
      {
        onSuccess: ({ changed }) => {
          tell('ok', kind === 'kept' ? `${countOf(changed.length, 'seat')} kept back${named ? ` (${named})` : ''}.` : `${countOf(changed.length, 'seat')} killed.`);
          onDone();
        },
        onError: (error) => tell('error', refusalText(error)),
      },
    );
  };
  const release = (at: string | null) =>
    actions.release.mutate(
      { seatIds: [...selection], at },
      {
        onSuccess: ({ changed }) => {
          tell('ok', at ? `${countOf(changed.length, 'seat')} go on sale at ${formatDate(at)}.` : `${countOf(changed.length, 'seat')} back on sale.`);
          onDone();
        },
        onError: (error) => tell('error', refusalText(error)),
      },
    );

  return (
    <section className="console-panel" aria-labelledby={`${ids}-title`} data-testid="off-sale-forms">
      <h2 id={`${ids}-title`}>Off sale</h2>
      <form onSubmit={take} className="console-form">
        <fieldset>
          <legend>Take the selected seats off sale</legend>
          <label>
            <input type="radio" name={`${ids}-kind`} checked={kind === 'kept'} onChange={() => setKind('kept')} /> Keep back (released later)
          </label>
          <label>
            <input type="radio" name={`${ids}-kind`} checked={kind === 'killed'} onChange={() => setKind('killed')} /> Kill (never for sale)
          </label>
        </fieldset>
        {kind === 'kept' && (
          <>
            <label>
              Purpose{' '}
              <select value={purpose} onChange={(event) => setPurpose(event.target.value)}>
                {PURPOSES.map((p) => (
                  <option key={p} value={p}>
                    {p[0].toUpperCase() + p.slice(1)}
                  </option>
                ))}
                <option value={OTHER}>Other…</option>
              </select>
            </label>
            {purpose === OTHER && (
              <label>
                Its name <input value={ownPurpose} maxLength={50} required onChange={(event) => setOwnPurpose(event.target.value)} />
              </label>
            )}
            <label>
              Until (optional) <input type="datetime-local" value={until} onChange={(event) => setUntil(event.target.value)} />
            </label>
          </>
        )}
        <label>
          Reason <input value={reason} maxLength={200} onChange={(event) => setReason(event.target.value)} placeholder="e.g. the Times, two seats" />
        </label>
        <button type="submit" className="button" disabled={none || busy}>
          {kind === 'kept' ? `Keep back ${seats}` : `Kill ${seats}`}
        </button>
      </form>
      <div className="console-form">
        <button type="button" className="button" disabled={none || busy} onClick={() => release(null)}>
          Release {seats} now
        </button>
        <label>
          Or at <input type="datetime-local" value={releaseAt} onChange={(event) => setReleaseAt(event.target.value)} />
        </label>
        <button type="button" className="button button--small" disabled={none || busy || !releaseAt} onClick={() => release(instantOf(releaseAt))}>
          Release at that time
        </button>
      </div>
    </section>
  );
}
