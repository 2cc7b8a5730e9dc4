import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
  type Ref,
} from 'react';
import { isNavKey, neighbour, type MapLayout, type RowLayout } from '../model/layout';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatStore } from '../model/seatStore';
import { GRID_TEXT, type SeatTextStyle } from '../model/seatText';
import { useSeat } from '../hooks/useSeat';
import { SeatButton } from './SeatButton';

interface SeatMapProps {
  layout: MapLayout;
  store: SeatStore;
  focus: RovingFocus;
  onSeat: (id: number) => void;
  /** How seats read: the grid's (default) or the room's list view. */
  text?: SeatTextStyle;
  /** Show a tooltip (label, place, category, price) next to the focused seat. */
  focusTips?: boolean;
  'data-testid'?: string;
  'aria-label'?: string;
  /** Draw the "Stage" bar above the sections (the grid); the room's list has no stage in it. */
  stage?: boolean;
}

interface TipAt {
  id: number;
  x: number;
  y: number;
}

/** Shows the focused seat's tooltip, or none; the map calls it from its focus handlers. */
type ShowTip = (at: TipAt | null) => void;

/** The focused seat's tooltip; its own state, so moving focus re-renders only this. */
function FocusTip({ ref, store, text }: { ref: Ref<ShowTip>; store: SeatStore; text: SeatTextStyle }) {
  const [at, setAt] = useState<TipAt | null>(null);
  useImperativeHandle(ref, () => setAt, []);
  return at ? <FocusTipBody store={store} text={text} at={at} /> : null;
}

function FocusTipBody({ store, text, at }: { store: SeatStore; text: SeatTextStyle; at: TipAt }) {
  const seat = useSeat(store, at.id);
  if (!seat) return null;
  const [title, ...lines] = text.tooltip(seat);
  return (
    <div className="seat-tip" aria-hidden="true" data-testid="seat-tooltip" style={{ left: at.x, top: at.y }}>
      <strong>{title}</strong>
      {lines.map((line) => (
        <span key={line}>{line}</span>
      ))}
    </div>
  );
}

const SeatRow = memo(function SeatRow({ row, store, focus, text }: { row: RowLayout; store: SeatStore; focus: RovingFocus; text: SeatTextStyle }) {
  return (
    <div className="seat-row" role="group" aria-label={`${row.section}, row ${row.row}`}>
      <span className="seat-row__label" aria-hidden="true">
        {row.row}
      </span>
      <div className="seat-row__seats">
        {row.seatIds.map((id) => (
          <SeatButton key={id} id={id} store={store} focus={focus} text={text} />
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
export const SeatMap = memo(function SeatMap({
  layout,
  store,
  focus,
  onSeat,
  text = GRID_TEXT,
  focusTips = false,
  'data-testid': testId,
  'aria-label': ariaLabel,
  stage = true,
}: SeatMapProps) {
  const tip = useRef<ShowTip>(null);
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
      if (id === null) return;
      focus.setActive(id);
      if (!tip.current) return;
      const seatEl = (event.target as HTMLElement).getBoundingClientRect();
      const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
      // below the seat: above it, the first row's tip would be cut off by the scrolling box
      tip.current({ id, x: seatEl.left - box.left + seatEl.width / 2, y: seatEl.bottom - box.top + 6 });
    },
    [focus],
  );

  const onBlur = useCallback((event: FocusEvent) => {
    if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null)) tip.current?.(null);
  }, []);

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
    <div
      className="seat-map"
      onClick={onClick}
      onFocus={onFocus}
      onBlur={onBlur}
      onKeyDown={onKeyDown}
      data-testid={testId}
      role={ariaLabel ? 'region' : undefined}
      aria-label={ariaLabel}
    >
      {focusTips && <FocusTip ref={tip} store={store} text={text} />}
      {stage && (
        <div className="stage" aria-hidden="true">
          Stage
        </div>
      )}
      {layout.sections.map((section) => {
        const first = layout.rows.indexOf(section.rows[0]);
        if (first >= shown) return null;
        const rows = section.rows.slice(0, shown - first);
        return (
          <section key={section.name} className="seat-section" aria-label={`Section ${section.name}`}>
            <h3 className="seat-section__title">{section.name}</h3>
            {rows.map((row) => (
              <SeatRow key={row.key} row={row} store={store} focus={focus} text={text} />
            ))}
          </section>
        );
      })}
      {shown < total && <p className="loading">Loading more rows…</p>}
    </div>
  );
});
