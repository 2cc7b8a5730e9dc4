import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { isNavKey, neighbour, type MapLayout, type RowLayout } from '../model/layout';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatStore } from '../model/seatState';
import { SeatButton } from './SeatButton';

interface SeatMapProps {
  layout: MapLayout;
  store: SeatStore;
  focus: RovingFocus;
  onSeat: (id: number) => void;
}

const SeatRow = memo(function SeatRow({ row, store, focus }: { row: RowLayout; store: SeatStore; focus: RovingFocus }) {
  return (
    <div className="seat-row" role="group" aria-label={`${row.section}, row ${row.row}`}>
      <span className="seat-row__label" aria-hidden="true">
        {row.row}
      </span>
      <div className="seat-row__seats">
        {row.seatIds.map((id) => (
          <SeatButton key={id} id={id} store={store} focus={focus} />
        ))}
      </div>
    </div>
  );
});

function seatIdOf(target: EventTarget | null): number | null {
  const el = (target as HTMLElement | null)?.closest?.('[data-seat-id]');
  if (!el) return null;
  const id = Number(el.getAttribute('data-seat-id'));
  return Number.isFinite(id) ? id : null;
}

/** Seats rendered in the first pass, then per idle step: the first rows show at once on a huge map. */
const FIRST_SEATS = 1_500;
const STEP_SEATS = 2_000;

function rowsFor(layout: MapLayout, from: number, seats: number): number {
  let count = 0;
  let r = from;
  while (r < layout.rows.length && (count === 0 || count + layout.rows[r].seatIds.length <= seats)) {
    count += layout.rows[r].seatIds.length;
    r += 1;
  }
  return r;
}

/**
 * Sections, rows, seats. A big map is rendered in steps (first rows at once, the rest as
 * interruptible transitions), so the page answers while the remaining rows are built. Rows off screen are skipped by the browser's rendering
 * (`content-visibility: auto`) yet stay in the page, so every seat remains reachable.
 */
export const SeatMap = memo(function SeatMap({ layout, store, focus, onSeat }: SeatMapProps) {
  const total = layout.rows.length;
  const [shown, setShown] = useState(() => rowsFor(layout, 0, FIRST_SEATS));
  useEffect(() => {
    if (shown >= total) return;
    const timer = setTimeout(() => startTransition(() => setShown((s) => rowsFor(layout, s, STEP_SEATS))), 0);
    return () => clearTimeout(timer);
  }, [shown, total, layout]);
  const onClick = useCallback(
    (event: MouseEvent) => {
      const id = seatIdOf(event.target);
      if (id !== null) onSeat(id);
    },
    [onSeat],
  );

  const onFocus = useCallback(
    (event: FocusEvent) => {
      const id = seatIdOf(event.target);
      if (id !== null) focus.setActive(id);
    },
    [focus],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (!isNavKey(event.key)) return;
      const id = seatIdOf(event.target);
      if (id === null) return;
      event.preventDefault();
      const next = neighbour(layout, id, event.key);
      focus.setActive(next);
      const el = (event.currentTarget as HTMLElement).querySelector<HTMLElement>(`[data-seat-id="${next}"]`);
      el?.focus();
    },
    [layout, focus],
  );

  return (
    <div className="seat-map" onClick={onClick} onFocus={onFocus} onKeyDown={onKeyDown}>
      <div className="stage" aria-hidden="true">
        Stage
      </div>
      {layout.sections.map((section) => {
        const first = layout.rows.indexOf(section.rows[0]);
        if (first >= shown) return null;
        const rows = section.rows.slice(0, shown - first);
        return (
          <section key={section.name} className="seat-section" aria-label={`Section ${section.name}`}>
            <h3 className="seat-section__title">{section.name}</h3>
            {rows.map((row) => (
              <SeatRow key={row.key} row={row} store={store} focus={focus} />
            ))}
          </section>
        );
      })}
      {shown < total && <p className="loading">Loading more rows…</p>}
    </div>
  );
});
