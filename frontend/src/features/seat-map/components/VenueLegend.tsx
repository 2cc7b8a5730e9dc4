import type { ReactNode } from 'react';
import { formatCount } from '../../../lib/format';
import { PHONE_QUERY, useMediaQuery } from '../../../lib/use-media-query';
import { useAvailableByCategory } from '../hooks/useAvailableByCategory';
import type { CategoryEntry } from '../model/categories';
import type { MoneyText } from '../model/seatText';
import { PAINT_COLOURS, seatPaint, type SeatPaint } from '../model/seatPaint';
import type { DrawnKind } from '../model/seatKinds';
import type { SeatStore } from '../model/seatStore';

/** A seat of each state as the map draws it, in a sample colour. */
const sample = (kind: DrawnKind, wheelchair = false) => seatPaint(kind, '#0072b2', '#ffffff', wheelchair);
const WHEELCHAIR = { title: 'Wheelchair space', paint: sample('available', true) };

const STATES: { title: string; paint: SeatPaint }[] = [
  { title: 'Available', paint: sample('available') },
  { title: 'Held by you', paint: sample('held-mine') },
  { title: 'Held by someone else', paint: sample('held-other') },
  { title: 'Being paid for', paint: sample('paying-other') },
  { title: 'Booked by you', paint: sample('booked-mine') },
  { title: 'Booked or not for sale', paint: sample('booked-other') },
  WHEELCHAIR,
];

/** The console's key: every seat as staff tell them apart (model/seatOverlay.ts). */
const STAFF_STATES: { title: string; paint: SeatPaint }[] = [
  { title: 'Free', paint: sample('available') },
  { title: 'Held', paint: sample('held-other') },
  { title: 'Being paid for', paint: sample('paying-other') },
  { title: 'Booked', paint: sample('booked-other') },
  { title: 'Kept back', paint: sample('kept') },
  { title: 'Killed', paint: sample('killed') },
  { title: 'Selected', paint: { ...sample('available'), ring: PAINT_COLOURS.selected } },
  WHEELCHAIR,
];

/** The same drawing as the canvas's, as a 20 px SVG. */
export function SeatIcon({ paint, size = 20 }: { paint: SeatPaint; size?: number }) {
  const r = 8;
  const a = r * 0.5 * 0.9;
  const shape =
    paint.shape === 'square' ? (
      <rect x={10 - r} y={10 - r} width={2 * r} height={2 * r} fill={paint.fill} stroke={paint.ring ?? 'none'} strokeWidth={paint.ring ? 2.2 : 0} />
    ) : (
      <circle cx={10} cy={10} r={r} fill={paint.fill} stroke={paint.ring ?? 'none'} strokeWidth={paint.ring ? 2.2 : 0} />
    );
  let mark = null;
  const line = { stroke: paint.markColour, strokeWidth: 1.8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const, fill: 'none' };
  if (paint.mark === 'tick') mark = <polyline points={`${10 - a},10 ${10 - a * 0.25},${10 + a * 0.7} ${10 + a},${10 - a * 0.6}`} {...line} />;
  if (paint.mark === 'cross') mark = <path d={`M${10 - a} ${10 - a}L${10 + a} ${10 + a}M${10 + a} ${10 - a}L${10 - a} ${10 + a}`} {...line} />;
  if (paint.mark === 'bar') mark = <path d={`M${10 - a} 10L${10 + a} 10`} {...line} />;
  if (paint.mark === 'slash') mark = <path d={`M${10 + a} ${10 - a}L${10 - a} ${10 + a}`} {...line} />;
  if (paint.mark === 'diamond') mark = <polygon points={`10,${10 - a} ${10 + a},10 10,${10 + a} ${10 - a},10`} fill={paint.markColour} />;
  if (paint.mark === 'dots')
    mark = (
      <g fill={paint.markColour}>
        {[-a * 0.8, 0, a * 0.8].map((dx) => (
          <circle key={dx} cx={10 + dx} cy={10} r={1.1} />
        ))}
      </g>
    );
  return (
    <svg width={size} height={size} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      {shape}
      {mark}
    </svg>
  );
}

/**
 * Prices by category (colour, name, price, seats left, live from the store) and what each seat
 * drawing means; on a phone, where the map should come first, the states fold into a "Key".
 * Its own component, so the recounts re-render the key alone, not the map.
 */
interface VenueLegendProps {
  categories: readonly CategoryEntry[];
  store: SeatStore;
  /** How prices read, in the event's currency. */
  money: MoneyText;
  /** The console's key (free, held, booked, kept back, killed, selected) rather than the buyer's. */
  staff?: boolean;
}

/** Its children as they are, or folded under a "Key to the seats" summary. */
function FoldOn({ fold, children }: { fold: boolean; children: ReactNode }) {
  if (!fold) return <>{children}</>;
  return (
    <details className="venue-legend__key" data-testid="seat-states-key">
      <summary>Key to the seats</summary>
      {children}
    </details>
  );
}

export function VenueLegend({ categories, store, money, staff = false }: VenueLegendProps) {
  const available = useAvailableByCategory(store);
  const foldStates = useMediaQuery(PHONE_QUERY);
  return (
    <div className="venue-legend">
      {categories.length > 0 && (
        <ul className="venue-legend__list" aria-label="Prices" data-testid="category-legend">
          {categories.map((c) => (
            <li key={c.id} data-category-id={c.id}>
              <span className="venue-legend__swatch" style={{ background: c.colour }} aria-hidden="true" />
              <span className="venue-legend__name">{c.name}</span> <strong className="venue-legend__price">{money(c.price)}</strong>
              <span className="muted"> · {formatCount(available.get(c.id) ?? 0)} left</span>
            </li>
          ))}
        </ul>
      )}
      <FoldOn fold={foldStates}>
        <ul className="venue-legend__list" aria-label="Seat states">
          {(staff ? STAFF_STATES : STATES).map(({ title, paint }) => (
            <li key={title}>
              <SeatIcon paint={paint} />
              {title}
            </li>
          ))}
        </ul>
      </FoldOn>
    </div>
  );
}
