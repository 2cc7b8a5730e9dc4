import { memo, useCallback, type FocusEvent, type KeyboardEvent, type MouseEvent } from 'react';
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

/**
 * Sections, rows, seats. Rows off screen are skipped by the browser's rendering
 * (`content-visibility: auto`) yet stay in the page, so every seat remains reachable.
 */
export const SeatMap = memo(function SeatMap({ layout, store, focus, onSeat }: SeatMapProps) {
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
      {layout.sections.map((section) => (
        <section key={section.name} className="seat-section" aria-label={`Section ${section.name}`}>
          <h3 className="seat-section__title">{section.name}</h3>
          {section.rows.map((row) => (
            <SeatRow key={row.key} row={row} store={store} focus={focus} />
          ))}
        </section>
      ))}
    </div>
  );
});
