import { formatCountdown, useNow } from '../../holds';
import { formatCount } from '../../../lib/format';
import type { QueueFrame } from '../../../lib/protocol-types';
import { sectionText, type CategoryEntry, type MoneyText } from '../../seat-map';
import type { SaleFigures } from '../api/console';
import { useCounts } from '../hooks/useSaleFigures';
import { SALE_STATES, type LiveCounts, type StateCounts } from '../model/saleCounts';

const STATE_TITLES: Record<keyof StateCounts, string> = {
  free: 'Free',
  held: 'Held',
  paying: 'Being paid for',
  booked: 'Booked',
  kept: 'Kept back',
  killed: 'Killed',
};

interface SalePanelProps {
  live: LiveCounts;
  figures: SaleFigures | undefined;
  categories: readonly CategoryEntry[];
  money: MoneyText;
  /** The newest `queue` frame of the event's waiting room, if it has one. */
  queue: QueueFrame | null;
}

/**
 * The sale at a glance: what the server counts (money, bookings a minute, the waiting room's
 * `sale/` figures with its live `queue` frames) and when the next hold lapses (from the store);
 * who watches is the connection bar's (the `presence` frame).
 */
export function SaleFiguresBar({ live, figures, money, queue }: Omit<SalePanelProps, 'categories'>) {
  const counts = useCounts(live);
  const now = useNow(1_000, counts.earliestHoldEnds !== null);
  const lapse = counts.earliestHoldEnds;
  const room = figures?.queue ?? null;
  return (
    <dl className="sale-figures" aria-label="The sale" data-testid="sale-figures">
      <div>
        <dt>Money taken</dt>
        <dd data-testid="money-taken">{figures ? money(figures.money_taken) : '…'}</dd>
      </div>
      {figures && figures.money_awaiting !== '0.00' && (
        <div>
          <dt>Awaiting payment</dt>
          <dd data-testid="money-awaiting">{money(figures.money_awaiting)}</dd>
        </div>
      )}
      <div>
        <dt>Bookings, last minute</dt>
        <dd>{figures ? formatCount(figures.bookings_last_minute) : '…'}</dd>
      </div>
      <div>
        <dt>Next hold lapses</dt>
        <dd>{lapse === null ? 'none held' : `in ${formatCountdown(lapse - now)}`}</dd>
      </div>
      {(queue || room) && (
        <div className="sale-figures__queue" data-testid="queue-figures">
          <dt>Waiting room</dt>
          <dd>
            {queue?.state ?? room?.state}
            {room && ` · ${formatCount(room.waiting)} waiting`}
            {` · serving to no. ${formatCount(queue?.serving ?? room?.serving ?? 0)}`}
            {` · ${formatCount(Math.round(queue?.rate ?? room?.rate ?? 0))} a minute`}
            {` · ${formatCount(queue?.joined ?? room?.joined ?? 0)} joined`}
          </dd>
        </div>
      )}
    </dl>
  );
}

function CountsTable({ caption, rows, testId }: { caption: string; rows: [string, StateCounts][]; testId: string }) {
  return (
    <table className="sale-counts" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption === 'By price category' ? 'Category' : 'Section'}</th>
          {SALE_STATES.map((state) => (
            <th key={state} scope="col">
              {STATE_TITLES[state]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, row]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {SALE_STATES.map((state) => (
              <td key={state} data-state={state}>
                {formatCount(row[state])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The map's counts per price category (in the organiser's order) and per section, live with its frames. */
export function SaleCountsTables({ live, categories, money }: Pick<SalePanelProps, 'live' | 'categories' | 'money'>) {
  const counts = useCounts(live);
  const known = new Set(categories.map((c) => c.id));
  const categoryRows: [string, StateCounts][] = [
    ...categories.flatMap((c): [string, StateCounts][] => {
      const row = counts.categories.get(c.id);
      return row ? [[`${c.name} (${money(c.price)})`, row]] : [];
    }),
    ...[...counts.categories].filter(([id]) => id === null || !known.has(id)).map(([, row]): [string, StateCounts] => ['No category', row]),
  ];
  const sectionRows = [...counts.sections].map(([name, row]): [string, StateCounts] => [name ? sectionText(name) : 'No section', row]);
  return (
    <div className="sale-counts-tables">
      <CountsTable caption="By price category" rows={[...categoryRows, ['All seats', counts.total]]} testId="counts-by-category" />
      <CountsTable caption="By section" rows={sectionRows} testId="counts-by-section" />
    </div>
  );
}
