import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { scrollBehavior, scrollPageToShow, useRevealRequest } from '../hooks/useRevealBlock';
import { useMediaQuery } from '../../../lib/use-media-query';
import { blockOnPlan, blockOnScreen, type RevealRequest } from '../model/bringIntoView';
import type { CategoryIndex } from '../model/categories';
import { fitView, clampView, keyView, sameView, toScreen, zoomAt, type Size, type View } from '../model/planView';
import { pitchOnScreen, sectionAreas, seatsBox, seatsPickable, viewBetween, viewToReveal, zoomAnchor, type SectionSeats } from '../model/overview';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatOverlay } from '../model/seatOverlay';
import type { SeatStore } from '../model/seatStore';
import type { MoneyText } from '../model/seatText';
import type { Venue } from '../model/venue';
import { PROBES, attachProbe, recordFrame, type CanvasWithProbe } from './canvasProbe';
import { drawFrame } from './drawVenue';
import { SeatTip } from './SeatTip';
import { CursorAnnouncer } from './CursorAnnouncer';
import { useSeatCursor } from '../hooks/useSeatCursor';
import type { MapLayout } from '../model/layout';
import { useMapPointer, type OnSeat, type SeatPick } from '../hooks/useMapPointer';

export type { OnSeat, SeatPick };

export interface SeatCanvasProps {
  venue: Venue;
  /** Sections → rows → seats: the order the arrow keys go through the seats. */
  layout: MapLayout;
  store: SeatStore;
  categories: CategoryIndex;
  focus: RovingFocus;
  onSeat: OnSeat;
  /** The canvas's accessible name (what the room shows, and where to choose by keyboard). */
  label: string;
  /** The block to bring into view (Find seats): flown to on the plan, highlighted, then scrolled to on the page. */
  reveal?: RevealRequest | null;
  /** The sections, named on the overview; a tap there zooms into one. */
  sections: readonly SectionSeats[];
  /** Why the last click on a seat was refused, told in that seat's tooltip. */
  refusal?: SeatRefusal | null;
  /** How amounts read, in the event's currency (the tooltip's price). */
  money?: MoneyText;
  /** The console's marks (kept back, killed, selected), drawn over the seats' states. */
  overlay?: SeatOverlay | null;
  /** Given, a mouse drag draws a box and tells the seats in it (the console) instead of moving the plan. */
  onBox?: (ids: number[], pick: SeatPick) => void;
  /** The words under the map that say what a click does (the buyer's, unless given). */
  help?: string;
}

/** A click on a seat that was refused, and why (the toast's sentence). */
export interface SeatRefusal {
  seatId: number;
  text: string;
}

/** How long seats found by Find seats stay highlighted (ms). */
export const HIGHLIGHT_MS = 4_000;
/** How long a move of the view (a tap that zooms, a reveal) takes, unless less motion is asked for (ms). */
const FLY_MS = 320;
/** Keys that zoom, and by how much (the arrows and 0 are model/planView.ts keyView's). */
const ZOOM_KEYS: Partial<Record<string, number>> = { '+': 1.25, '=': 1.25, '-': 1 / 1.25, _: 1 / 1.25 };

function keyboardFocus(el: HTMLElement): boolean {
  try {
    return el.matches(':focus-visible');
  } catch {
    return true; // a browser that cannot tell: as before, show it
  }
}

/**
 * The room on a canvas: one element however many seats (20,000 SVG or DOM nodes would each cost
 * layout, style and memory; a canvas frame is a few ms). Seats stay real buttons in the List
 * view; here a click or tap hits the nearest seat once seats are drawn large enough to pick
 * (model/overview.ts); on the overview it zooms into the section under it instead, and holds
 * nothing. Wheel / pinch zoom about the pointer, drag pans; keys + − 0 and Shift+arrows do the
 * same. The arrows move a seat cursor seat to seat (hooks/useSeatCursor.ts), said aloud as it
 * moves (CursorAnnouncer); Enter or Space holds / releases the cursor's seat.
 */
export const SeatCanvas = memo(function SeatCanvas({
  venue,
  layout,
  store,
  categories,
  focus,
  onSeat,
  label,
  reveal = null,
  sections,
  refusal = null,
  money,
  overlay = null,
  onBox,
  help,
}: SeatCanvasProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<View>({ scale: 1, x: 0, y: 0 });
  const sizeRef = useRef<Size>({ width: 0, height: 0 });
  const fittedRef = useRef(true);
  const frameRef = useRef(0);
  const flightRef = useRef(0);
  const boxRef = useRef<HTMLDivElement>(null);
  const hoverRef = useRef<number | null>(null);
  const highlightRef = useRef<readonly number[]>([]);
  const [focused, setFocused] = useState(false);
  // Whether the main pointer is a finger (a phone, a tablet): help is then worded as taps, not keys.
  const coarse = useMediaQuery('(pointer: coarse)');
  const hintId = useId();

  const plan = useMemo((): Size => ({ width: venue.width, height: venue.height }), [venue]);
  const areas = useMemo(() => sectionAreas(venue, sections), [venue, sections]);
  const allSeats = useMemo(() => seatsBox(venue), [venue]);
  const tipRef = useRef<HTMLDivElement>(null);

  // The tooltip follows its seat as the view moves, without a render per frame.
  const placeTip = useCallback(() => {
    const tipEl = tipRef.current;
    const i = tipEl ? venue.index.get(Number(tipEl.dataset.seatId)) : undefined;
    if (!tipEl || i === undefined) return;
    const at = toScreen(viewRef.current, { x: venue.xs[i], y: venue.ys[i] });
    const below = at.y < 90; // no room above: show it under the seat
    const width = sizeRef.current.width;
    tipEl.style.left = `${Math.min(Math.max(at.x, 70), Math.max(70, width - 70))}px`;
    tipEl.style.top = `${below ? at.y + 18 : at.y - 14}px`;
    tipEl.classList.toggle('venue-map__tip--below', below);
  }, [venue]);

  const draw = useCallback(() => {
    frameRef.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || sizeRef.current.width === 0) return;
    const t0 = PROBES ? performance.now() : 0;
    const rings: number[] = [];
    if (hoverRef.current !== null) rings.push(hoverRef.current);
    if (focus.chosen && focus.activeId !== null && focus.activeId !== hoverRef.current && document.activeElement === wrapRef.current) {
      rings.push(focus.activeId);
    }
    const view = viewRef.current;
    const stats = drawFrame({
      ctx,
      dpr: window.devicePixelRatio || 1,
      size: sizeRef.current,
      view,
      venue,
      seat: store.getSeat,
      categories,
      rings,
      areas,
      highlights: highlightRef.current,
      overlay,
    });
    const overview = !seatsPickable(venue, view);
    canvas.classList.toggle('venue-map__canvas--zoom', overview);
    if (PROBES) {
      recordFrame(canvas, performance.now() - t0, stats.drawn, view.scale, {
        seatPx: pitchOnScreen(venue, view),
        own: stats.own,
        highlighted: highlightRef.current.length,
        labels: stats.labels,
        overview,
        selected: stats.selected,
      });
    }
    placeTip();
  }, [venue, store, categories, focus, placeTip, areas, overlay]);

  const schedule = useCallback(() => {
    if (frameRef.current === 0) frameRef.current = requestAnimationFrame(draw);
  }, [draw]);

  const setView = useCallback(
    (next: View, fitted = false) => {
      cancelAnimationFrame(flightRef.current);
      flightRef.current = 0;
      // "fitted" views follow the viewport's size; so does zooming out as far as it goes
      fittedRef.current = fitted || sameView(next, fitView(plan, sizeRef.current));
      if (sameView(next, viewRef.current)) return;
      viewRef.current = next;
      schedule();
    },
    [schedule, plan],
  );

  /** Moves to `target` in a short flight (at once if the buyer asked for less motion). */
  const flyTo = useCallback(
    (target: View) => {
      const from = viewRef.current;
      if (scrollBehavior() === 'auto') {
        setView(target);
        return;
      }
      cancelAnimationFrame(flightRef.current);
      const start = performance.now();
      const step = (now: number) => {
        const t = Math.min(1, (now - start) / FLY_MS);
        const eased = 1 - (1 - t) ** 3;
        const next = viewBetween(from, target, eased, sizeRef.current);
        viewRef.current = t >= 1 ? target : next;
        fittedRef.current = sameView(viewRef.current, fitView(plan, sizeRef.current));
        draw();
        flightRef.current = t >= 1 ? 0 : requestAnimationFrame(step);
      };
      flightRef.current = requestAnimationFrame(step);
    },
    [setView, draw, plan],
  );

  const pointer = useMapPointer({ canvasRef, boxRef, hoverRef, viewRef, sizeRef, plan, venue, areas, setView, flyTo, focus, onSeat, onBox });
  const { hoverId, local, seatAtLocal } = pointer;
  const seatCursor = useSeatCursor({ venue, layout, focus, viewRef, sizeRef, plan, setView });
  const cursor = seatCursor.cursor;

  // Size: the canvas's backing store follows its CSS box and the screen's pixel ratio.
  useEffect(() => {
    const wrap = wrapRef.current;
    const canvas = canvasRef.current;
    if (!wrap || !canvas) return;
    const resize = () => {
      const width = wrap.clientWidth;
      const height = wrap.clientHeight;
      if (width === 0 || height === 0) return;
      const dpr = window.devicePixelRatio || 1;
      sizeRef.current = { width, height };
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      const next = fittedRef.current ? fitView(plan, sizeRef.current) : clampView(viewRef.current, plan, sizeRef.current);
      viewRef.current = next;
      draw();
    };
    resize();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(resize);
    observer.observe(wrap);
    return () => observer.disconnect();
  }, [draw, plan]);

  // Any seat change (socket, own action, clock) redraws once per animation frame.
  useEffect(() => store.subscribeChanges(schedule), [store, schedule]);
  useEffect(() => overlay?.subscribeChanges(schedule), [overlay, schedule]);
  useEffect(() => schedule(), [hoverId, focused, cursor, schedule]);
  useEffect(
    () => () => {
      cancelAnimationFrame(frameRef.current);
      cancelAnimationFrame(flightRef.current);
    },
    [],
  );

  // The probe for tests and measurements (absent from the production build).
  useEffect(() => {
    const canvas = canvasRef.current as CanvasWithProbe | null;
    if (!PROBES || !canvas) return;
    return attachProbe(canvas, {
      view: () => viewRef.current,
      seatPoint: (id) => {
        const i = venue.index.get(id);
        if (i === undefined) return null;
        const rect = canvas.getBoundingClientRect();
        const at = toScreen(viewRef.current, { x: venue.xs[i], y: venue.ys[i] });
        return { x: rect.left + at.x, y: rect.top + at.y };
      },
      seatAt: (clientX, clientY) => seatAtLocal(local(clientX, clientY)),
    });
  }, [venue, local, seatAtLocal]);

  // Seats found by Find seats: flown to at a size where they can be picked, and ringed a while.
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(highlightTimer.current), []);
  useRevealRequest(reveal, ({ seatIds }) => {
    const block = blockOnPlan(venue, seatIds);
    const canvas = canvasRef.current;
    if (!block || !canvas) return;
    highlightRef.current = seatIds.filter((id) => venue.index.has(id));
    clearTimeout(highlightTimer.current);
    highlightTimer.current = setTimeout(() => {
      highlightRef.current = [];
      schedule();
    }, HIGHLIGHT_MS);
    const next = viewToReveal(viewRef.current, venue, block, plan, sizeRef.current);
    if (next) flyTo(next);
    else schedule();
    // The page scrolls to where the block will be once the flight lands.
    const rect = canvas.getBoundingClientRect();
    const shown = blockOnScreen(next ?? viewRef.current, block);
    scrollPageToShow(
      { left: rect.left + shown.left, top: rect.top + shown.top, right: rect.left + shown.right, bottom: rect.top + shown.bottom },
      scrollBehavior(),
    );
  });

  // + and −: about the buyer's seats when in sight, else the middle of the seats in sight.
  const zoomButton = (factor: number) => {
    const held = blockOnPlan(venue, store.getHeld().map((seat) => seat.id));
    const anchor = zoomAnchor(viewRef.current, allSeats, held, sizeRef.current);
    setView(zoomAt(viewRef.current, factor, anchor, plan, sizeRef.current));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return; // the zoom buttons handle their own keys
    if (!focused) setFocused(true); // keys after a click: the keyboard is in use, show the cursor
    if ((event.key === 'Enter' || event.key === ' ') && cursor !== null) {
      event.preventDefault();
      onSeat(cursor);
      return;
    }
    if (event.altKey) return;
    if (!event.shiftKey && seatCursor.move(event.key, event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    const zoomKey = ZOOM_KEYS[event.key];
    if (zoomKey !== undefined) {
      event.preventDefault();
      zoomButton(zoomKey); // about the same point as the buttons
      return;
    }
    const next = keyView(event.key, viewRef.current, plan, sizeRef.current);
    if (!next) return;
    event.preventDefault();
    setView(next, event.key === '0');
  };

  const tipId = hoverId ?? (focused ? cursor : null);
  // Placed before the browser paints it, so it never shows where the last seat was.
  useLayoutEffect(() => placeTip(), [tipId, placeTip, refusal]);

  return (
    <div className="venue-map">
      <div className="venue-map__controls" role="toolbar" aria-label="Zoom">
        <button type="button" className="button button--small" onClick={() => zoomButton(1.5)} aria-label="Zoom in" data-testid="map-zoom-in">
          +
        </button>
        <button type="button" className="button button--small" onClick={() => zoomButton(1 / 1.5)} aria-label="Zoom out" data-testid="map-zoom-out">
          −
        </button>
        <button type="button" className="button button--small" onClick={() => setView(fitView(plan, sizeRef.current), true)} data-testid="map-fit">
          Fit
        </button>
      </div>
      <div
        ref={wrapRef}
        className="venue-map__viewport"
        tabIndex={0}
        role="group"
        aria-roledescription="seat map"
        aria-label="Seat map"
        aria-describedby={hintId}
        data-testid="seat-map-viewport"
        // as tall as the room is at this width (no empty band on a phone), within the CSS limits
        style={{ aspectRatio: `${venue.width} / ${venue.height}` }}
        onKeyDown={onKeyDown}
        // The active seat's tooltip is for the keyboard: a tap or click that focuses the map shows none.
        onFocus={(e) => e.target === e.currentTarget && setFocused(keyboardFocus(e.currentTarget))}
        onBlur={() => setFocused(false)}
      >
        <canvas
          ref={canvasRef}
          className={`venue-map__canvas${hoverId !== null ? ' venue-map__canvas--seat' : ''}`}
          role="img"
          aria-label={label}
          data-testid="seat-canvas"
          {...pointer.handlers}
        />
        {onBox && <div ref={boxRef} className="venue-map__box" hidden aria-hidden="true" data-testid="map-box" />}
        {tipId !== null && venue.index.has(tipId) && (
          <SeatTip ref={tipRef} store={store} id={tipId} categories={categories} money={money} note={refusal?.seatId === tipId ? refusal.text : undefined} />
        )}
      </div>
      <CursorAnnouncer store={store} id={focused ? cursor : null} categories={categories} money={money} />
      <p id={hintId} className="hint venue-map__hint" data-testid="map-help">
        {help ?? (coarse
          ? 'Tap a section to zoom in, tap a seat to hold it, pinch to zoom, drag to move. To go through the seats one by one, use the List view.'
          : 'Click a section to zoom in, click a seat to hold it; drag to move, scroll to zoom. Keys: arrows go from seat to seat (Page Up and Page Down ten rows), Enter or Space holds or releases the seat; Shift and arrows move the map, + and − zoom, 0 fits the room.')}
      </p>
    </div>
  );
});
