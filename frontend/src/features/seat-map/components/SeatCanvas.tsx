import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type Ref } from 'react';
import { scrollBehavior, scrollPageToShow, useRevealRequest } from '../hooks/useRevealBlock';
import { useSeat } from '../hooks/useSeat';
import { blockOnPlan, blockOnScreen, viewToShow, type RevealRequest } from '../model/bringIntoView';
import type { CategoryIndex } from '../model/categories';
import {
  fitView,
  clampView,
  keyView,
  panBy,
  pinchView,
  sameView,
  toPlan,
  toScreen,
  wheelFactor,
  zoomAt,
  type Point,
  type Size,
  type View,
} from '../model/planView';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatStore } from '../model/seatStore';
import { seatTooltipLines } from '../model/seatText';
import { hitTest, type Venue } from '../model/venue';
import { PROBES, attachProbe, recordFrame, type CanvasWithProbe } from './canvasProbe';
import { drawFrame } from './drawVenue';

interface SeatCanvasProps {
  venue: Venue;
  store: SeatStore;
  categories: CategoryIndex;
  focus: RovingFocus;
  onSeat: (id: number) => void;
  /** The canvas's accessible name (what the room shows, and where to choose by keyboard). */
  label: string;
  /** The block to bring into view (Find seats): panned to on the plan, then scrolled to on the page. */
  reveal?: RevealRequest | null;
}

/** A touch needs a target of about 24 px even when seats are drawn smaller (WCAG 2.5.8). */
const TOUCH_TARGET_PX = 12;
const DRAG_THRESHOLD_PX = 5;

interface SeatTipProps {
  store: SeatStore;
  id: number;
  categories: CategoryIndex;
  /** Placed by the canvas, which moves it with its seat on every frame it draws. */
  ref: Ref<HTMLDivElement>;
}

function SeatTip({ store, id, categories, ref }: SeatTipProps) {
  const seat = useSeat(store, id);
  if (!seat) return null;
  const [title, ...lines] = seatTooltipLines(seat, categories);
  return (
    <div ref={ref} className="venue-map__tip" role="presentation" aria-hidden="true" data-testid="seat-tooltip" data-seat-id={id}>
      <strong>{title}</strong>
      {lines.map((line) => (
        <span key={line}>{line}</span>
      ))}
    </div>
  );
}

/**
 * The room on a canvas: one element however many seats (20,000 SVG or DOM nodes would each cost
 * layout, style and memory; a canvas frame is a few ms). Seats stay real buttons in the List
 * view; here a click or tap hits the nearest seat. Wheel / pinch zoom, drag pans; keys + − 0
 * and arrows do the same; Enter or Space holds / releases the active seat (the last one clicked
 * or focused in the list).
 */
export const SeatCanvas = memo(function SeatCanvas({ venue, store, categories, focus, onSeat, label, reveal = null }: SeatCanvasProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<View>({ scale: 1, x: 0, y: 0 });
  const sizeRef = useRef<Size>({ width: 0, height: 0 });
  const fittedRef = useRef(true);
  const frameRef = useRef(0);
  const pointers = useRef(new Map<number, Point>());
  const drag = useRef<{ moved: boolean; travelled: number } | null>(null);
  const [hoverId, setHoverId] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const hintId = useId();

  const plan = useMemo((): Size => ({ width: venue.width, height: venue.height }), [venue]);
  // Read by the frame drawn next; written with the state, in the handlers that change it.
  const hoverRef = useRef<number | null>(null);
  const hover = useCallback((id: number | null) => {
    hoverRef.current = id;
    setHoverId(id);
  }, []);
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
    const drawn = drawFrame({
      ctx,
      dpr: window.devicePixelRatio || 1,
      size: sizeRef.current,
      view: viewRef.current,
      venue,
      seat: store.getSeat,
      categories,
      rings,
    });
    if (PROBES) recordFrame(canvas, performance.now() - t0, drawn, viewRef.current.scale);
    placeTip();
  }, [venue, store, categories, focus, placeTip]);

  const schedule = useCallback(() => {
    if (frameRef.current === 0) frameRef.current = requestAnimationFrame(draw);
  }, [draw]);

  const setView = useCallback(
    (next: View, fitted = false) => {
      // "fitted" views follow the viewport's size; so does zooming out as far as it goes
      fittedRef.current = fitted || sameView(next, fitView(plan, sizeRef.current));
      if (sameView(next, viewRef.current)) return;
      viewRef.current = next;
      schedule();
    },
    [schedule, plan],
  );

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
  useEffect(() => schedule(), [hoverId, focused, schedule]);
  useEffect(() => () => cancelAnimationFrame(frameRef.current), []);

  const local = useCallback((clientX: number, clientY: number): Point => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: clientX - rect.left, y: clientY - rect.top };
  }, []);

  const seatAtLocal = useCallback(
    (p: Point): number | null => hitTest(venue, toPlan(viewRef.current, p), TOUCH_TARGET_PX / viewRef.current.scale),
    [venue],
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

  useRevealRequest(reveal, ({ seatIds }) => {
    const block = blockOnPlan(venue, seatIds);
    const canvas = canvasRef.current;
    if (!block || !canvas) return;
    const next = viewToShow(viewRef.current, block, plan, sizeRef.current);
    if (next) setView(next);
    const rect = canvas.getBoundingClientRect();
    const shown = blockOnScreen(viewRef.current, block);
    scrollPageToShow(
      { left: rect.left + shown.left, top: rect.top + shown.top, right: rect.left + shown.right, bottom: rect.top + shown.bottom },
      scrollBehavior(),
    );
  });

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaMode === 2 ? event.deltaY * 400 : event.deltaY;
      setView(zoomAt(viewRef.current, wheelFactor(delta), local(event.clientX, event.clientY), plan, sizeRef.current));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [local, setView, plan]);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture?.(event.pointerId);
    pointers.current.set(event.pointerId, local(event.clientX, event.clientY));
    if (pointers.current.size === 1) drag.current = { moved: false, travelled: 0 };
    else if (drag.current) drag.current.moved = true; // a second finger: a pinch, not a tap
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const p = local(event.clientX, event.clientY);
    const before = pointers.current.get(event.pointerId);
    if (!before) {
      if (event.pointerType === 'mouse') {
        const id = seatAtLocal(p);
        if (id !== hoverRef.current) hover(id);
      }
      return;
    }
    const others = [...pointers.current.entries()].filter(([k]) => k !== event.pointerId);
    pointers.current.set(event.pointerId, p);
    if (others.length === 0) {
      const d = drag.current;
      if (d) {
        d.travelled += Math.hypot(p.x - before.x, p.y - before.y);
        if (d.travelled > DRAG_THRESHOLD_PX) d.moved = true;
        if (d.moved) setView(panBy(viewRef.current, p.x - before.x, p.y - before.y, plan, sizeRef.current));
      }
    } else if (others.length === 1) {
      const other = others[0][1];
      setView(pinchView(viewRef.current, before, other, p, other, plan, sizeRef.current));
    }
  };

  const endPointer = (event: PointerEvent<HTMLCanvasElement>, tap: boolean) => {
    const had = pointers.current.delete(event.pointerId);
    if (!had) return;
    if (pointers.current.size > 0) return;
    const d = drag.current;
    drag.current = null;
    if (!tap || !d || d.moved) return;
    const id = seatAtLocal(local(event.clientX, event.clientY));
    if (event.pointerType !== 'mouse') hover(id); // a finger has no hover: show the tapped seat's tooltip
    if (id === null) return;
    focus.setActive(id);
    onSeat(id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return; // the zoom buttons handle their own keys
    if ((event.key === 'Enter' || event.key === ' ') && focus.chosen && focus.activeId !== null && venue.index.has(focus.activeId)) {
      event.preventDefault();
      onSeat(focus.activeId);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = keyView(event.key, viewRef.current, plan, sizeRef.current);
    if (!next) return;
    event.preventDefault();
    setView(next, event.key === '0');
  };

  const zoomButton = (factor: number) =>
    setView(zoomAt(viewRef.current, factor, { x: sizeRef.current.width / 2, y: sizeRef.current.height / 2 }, plan, sizeRef.current));

  const tipId = hoverId ?? (focused && focus.chosen && focus.activeId !== null && venue.index.has(focus.activeId) ? focus.activeId : null);
  // Placed before the browser paints it, so it never shows where the last seat was.
  useLayoutEffect(() => placeTip(), [tipId, placeTip]);

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
        onFocus={(e) => e.target === e.currentTarget && setFocused(true)}
        onBlur={() => setFocused(false)}
      >
        <canvas
          ref={canvasRef}
          className={`venue-map__canvas${hoverId !== null ? ' venue-map__canvas--seat' : ''}`}
          role="img"
          aria-label={label}
          data-testid="seat-canvas"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={(e) => endPointer(e, true)}
          onPointerCancel={(e) => endPointer(e, false)}
          onPointerLeave={(e) => {
            if (e.pointerType === 'mouse') hover(null);
          }}
        />
        {tipId !== null && venue.index.has(tipId) && <SeatTip ref={tipRef} store={store} id={tipId} categories={categories} />}
      </div>
      <p id={hintId} className="hint venue-map__hint">
        Drag to move, scroll or pinch to zoom. Keys: + and − zoom, arrows move, 0 fits the room. Enter holds or
        releases the seat last chosen. To go through the seats one by one, use the List view.
      </p>
    </div>
  );
});
