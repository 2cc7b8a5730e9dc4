import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type CSSProperties,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
  type Ref,
  type RefObject,
} from 'react';
import { flushSync } from 'react-dom';
import { isNavKey, neighbour, type MapLayout, type RowLayout } from '../model/layout';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatOverlay } from '../model/seatOverlay';
import type { SeatStore } from '../model/seatStore';
import { GRID_TEXT, sectionText, type SeatTextStyle } from '../model/seatText';
import { leadingRows, rowSeatsHeight, rowsToRender, seatsPerLine, updateNear } from '../model/windowing';
import { useHeldSeats, useSeat } from '../hooks/useSeat';
import { MarkedSeatButton, SeatButton } from './SeatButton';
import type { OnSeat } from './SeatCanvas';

interface SeatMapProps {
  layout: MapLayout;
  store: SeatStore;
  focus: RovingFocus;
  onSeat: OnSeat;
  /** How seats read: the grid's (default) or the room's list view. */
  text?: SeatTextStyle;
  /** Show a tooltip (label, place, category, price) next to the focused seat. */
  focusTips?: boolean;
  'data-testid'?: string;
  'aria-label'?: string;
  /** Draw the "Stage" bar above the sections (the grid); the room's list has no stage in it. */
  stage?: boolean;
  /**
   * Rows wrap to the width; in a big list (over WINDOW_FROM_SEATS) only rows near the screen
   * get their seat buttons, the others keep their group, label and height (the room's List view).
   */
  windowed?: boolean;
  /** The console's marks on the seats (selected, kept back, killed). */
  overlay?: SeatOverlay;
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

interface SeatRowProps {
  row: RowLayout;
  index: number;
  store: SeatStore;
  focus: RovingFocus;
  text: SeatTextStyle;
  /** Render the seats; else an empty box this tall (px) stands in for them. */
  live: boolean;
  waitingHeight: number;
  overlay?: SeatOverlay;
}

const SeatRow = memo(function SeatRow({ row, index, store, focus, text, live, waitingHeight, overlay }: SeatRowProps) {
  return (
    <div className="seat-row" role="group" aria-label={`${row.section}, row ${row.row}`} data-row={index}>
      <span className="seat-row__label" aria-hidden="true">
        {row.row}
      </span>
      {live ? (
        <div className="seat-row__seats">
          {/* The buyer's seats take no hook for marks they never have. */}
          {row.seatIds.map((id) =>
            overlay ? (
              <MarkedSeatButton key={id} id={id} store={store} focus={focus} text={text} overlay={overlay} />
            ) : (
              <SeatButton key={id} id={id} store={store} focus={focus} text={text} />
            ),
          )}
        </div>
      ) : (
        <div className="seat-row__seats seat-row__seats--waiting" style={{ height: waitingHeight }} aria-hidden="true" />
      )}
    </div>
  );
});

/**
 * A list this big is windowed; a smaller one (a theatre's 2,000 seats) renders every seat, so
 * find-in-page and a screen reader's reading of the whole list meet every seat.
 */
export const WINDOW_FROM_SEATS = 3_000;
/** Seats rendered before the rows near the screen are known (a screenful, and a little more). */
const WINDOW_FIRST_SEATS = 400;
/** The seats' width before it is measured: a phone's. */
const GUESSED_WIDTH = 300;
/** How far beyond the visible part rows are rendered, so scrolling meets rows already drawn. */
const WINDOW_MARGIN = '900px 0px';

/** The box the map scrolls in when it has one of its own (the desktop's list), else the page. */
function scrollRoot(el: HTMLElement): HTMLElement | null {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === 'auto' || overflowY === 'scroll') return node;
  }
  return null;
}

/**
 * Which rows get their seats: those within WINDOW_MARGIN of the screen (an IntersectionObserver
 * on every row), the focus stop's and those of the buyer's held seats. Without the observer
 * (old browsers, tests) every row does. Also the width the seats wrap at, for the empty rows.
 */
function useRowWindow(root: RefObject<HTMLElement | null>, layout: MapLayout, store: SeatStore, focus: RovingFocus, enabled: boolean) {
  const active = enabled && typeof IntersectionObserver === 'function' && layout.position.size > WINDOW_FROM_SEATS;
  const [near, setNear] = useState<ReadonlySet<number>>(() => leadingRows(layout.rows, WINDOW_FIRST_SEATS));
  const [width, setWidth] = useState(0);
  const focusId = useSyncExternalStore(focus.subscribeActive, () => focus.activeId);
  const held = useHeldSeats(store);

  useEffect(() => {
    const el = root.current;
    if (!active || !el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        const changes = entries.map((e) => ({ row: Number((e.target as HTMLElement).dataset.row), inside: e.isIntersecting }));
        setNear((prev) => updateNear(prev, changes));
      },
      { root: scrollRoot(el), rootMargin: WINDOW_MARGIN },
    );
    el.querySelectorAll('[data-row]').forEach((row) => observer.observe(row));
    return () => observer.disconnect();
  }, [active, layout, root]);

  useLayoutEffect(() => {
    const seats = root.current?.querySelector<HTMLElement>('.seat-row__seats');
    if (!active || !seats || typeof ResizeObserver !== 'function') return;
    // Told the width at once (before the first paint), then on every change.
    const observer = new ResizeObserver(() => setWidth(seats.clientWidth));
    observer.observe(seats);
    return () => observer.disconnect();
  }, [active, layout, root]);

  const live = useMemo(
    () => (active ? rowsToRender(near, layout.position, [focusId, ...held.map((s) => s.id)]) : null),
    [active, near, layout, focusId, held],
  );
  return { live, perLine: seatsPerLine(width || GUESSED_WIDTH) };
}

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
 * A windowed list over WINDOW_FROM_SEATS (the arena's List view) instead has every row at once
 * and seat buttons only in the rows near the screen (useRowWindow).
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
  windowed = false,
  overlay,
}: SeatMapProps) {
  const tip = useRef<ShowTip>(null);
  const root = useRef<HTMLDivElement>(null);
  const total = layout.rows.length;
  // A windowed list has every row from the start (most of them empty boxes).
  const [shown, setShown] = useState(() => (windowed && layout.position.size > WINDOW_FROM_SEATS ? total : rowsFor(layout, 0, FIRST_SEATS)));
  const rowWindow = useRowWindow(root, layout, store, focus, windowed);
  useEffect(() => {
    if (shown >= total) return;
    const timer = setTimeout(() => startTransition(() => setShown((s) => rowsFor(layout, s, STEP_SEATS))), 0);
    return () => clearTimeout(timer);
  }, [shown, total, layout]);
  const onClick = useCallback(
    (event: MouseEvent) => {
      const id = seatIdOf(event.target);
      if (id !== null) onSeat(id, { shift: event.shiftKey });
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
      const next = neighbour(layout, id, event.key, event.ctrlKey || event.metaKey);
      // Synchronously: in a windowed list the next row gets its seats now, and a map still
      // rendered in steps gets every row up to it, so the seat can take focus.
      const row = layout.position.get(next)?.[0] ?? 0;
      flushSync(() => {
        focus.setActive(next);
        setShown((s) => Math.max(s, row + 1));
      });
      const el = (event.currentTarget as HTMLElement).querySelector<HTMLElement>(`[data-seat-id="${next}"]`);
      el?.focus();
    },
    [layout, focus],
  );

  // The grid's seats shrink (to a floor) so that its longest row fits the width: one line a row.
  const widest = useMemo(() => layout.rows.reduce((most, row) => Math.max(most, row.seatIds.length), 1), [layout]);
  return (
    <div
      ref={root}
      className={`seat-map${windowed ? ' seat-map--windowed' : ' seat-map--grid'}`}
      style={windowed ? undefined : ({ '--row-seats': widest } as CSSProperties)}
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
            <h3 className="seat-section__title">{sectionText(section.name)}</h3>
            {rows.map((row, i) => (
              <SeatRow
                key={row.key}
                row={row}
                index={first + i}
                store={store}
                focus={focus}
                text={text}
                live={rowWindow.live?.has(first + i) ?? true}
                waitingHeight={rowSeatsHeight(row.seatIds.length, rowWindow.perLine)}
                overlay={overlay}
              />
            ))}
          </section>
        );
      })}
      {shown < total && <p className="loading">Loading more rows…</p>}
    </div>
  );
});
