import { useCallback, useEffect, useRef, useState, type PointerEvent, type RefObject } from 'react';
import type { SectionAreas } from '../model/overview';
import { tapAt } from '../model/overview';
import { panBy, pinchView, toPlan, wheelFactor, zoomAt, type Point, type Size, type View } from '../model/planView';
import type { RovingFocus } from '../model/rovingFocus';
import { seatsInBox, type Venue } from '../model/venue';

/** How a seat was picked: with Shift held (the console selects the seat's row). */
export interface SeatPick {
  shift: boolean;
}

export type OnSeat = (id: number, pick?: SeatPick) => void;

/** A tooltip shown by a tap goes after this long (ms): a finger has no "leave". */
const TAP_TIP_MS = 4_000;
/** A touch needs a target of about 24 px even when seats are drawn smaller (WCAG 2.5.8). */
const TOUCH_TARGET_PX = 12;
const DRAG_THRESHOLD_PX = 5;

interface MapPointerInput {
  canvasRef: RefObject<HTMLCanvasElement | null>;
  /** The box a console's mouse drag draws. */
  boxRef: RefObject<HTMLDivElement | null>;
  /** The seat under the mouse (or tapped): read by the frame drawn next, written with the state. */
  hoverRef: RefObject<number | null>;
  viewRef: RefObject<View>;
  sizeRef: RefObject<Size>;
  plan: Size;
  venue: Venue;
  areas: SectionAreas;
  setView: (next: View) => void;
  flyTo: (target: View) => void;
  focus: RovingFocus;
  onSeat: OnSeat;
  onBox?: (ids: number[], pick: SeatPick) => void;
}

/**
 * The mouse, finger and wheel on the room's canvas: hover shows a seat's tooltip (a tap shows it
 * a while), a click or tap picks the seat under it or zooms into the section on the overview,
 * a drag pans (or, in the console, draws a box), two fingers pinch, the wheel zooms.
 */
export function useMapPointer({ canvasRef, boxRef, hoverRef, viewRef, sizeRef, plan, venue, areas, setView, flyTo, focus, onSeat, onBox }: MapPointerInput) {
  const pointers = useRef(new Map<number, Point>());
  const drag = useRef<{ moved: boolean; travelled: number; box: Point | null } | null>(null);
  const [hoverId, setHoverId] = useState<number | null>(null);
  const tapTipTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const tappedRef = useRef(false);
  const hover = useCallback((id: number | null, tapped = false) => {
    clearTimeout(tapTipTimer.current);
    hoverRef.current = id;
    tappedRef.current = tapped && id !== null;
    setHoverId(id);
  }, [hoverRef]);
  // A tooltip a finger opened goes with the next touch anywhere on the page, not only on the map.
  useEffect(() => {
    if (hoverId === null || !tappedRef.current) return;
    const away = (event: globalThis.PointerEvent) => {
      if (event.target !== canvasRef.current) hover(null);
    };
    document.addEventListener('pointerdown', away, true);
    return () => document.removeEventListener('pointerdown', away, true);
  }, [hoverId, hover, canvasRef]);
  useEffect(() => () => clearTimeout(tapTipTimer.current), []);

  const local = useCallback((clientX: number, clientY: number): Point => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: clientX - rect.left, y: clientY - rect.top };
  }, [canvasRef]);

  const tapAtLocal = useCallback(
    (p: Point) => tapAt(viewRef.current, venue, areas, p, plan, sizeRef.current, TOUCH_TARGET_PX),
    [venue, areas, plan, viewRef, sizeRef],
  );
  /** The seat drawn under a point, whatever the zoom (for the mouse's tooltip and the probe). */
  const seatAtLocal = useCallback(
    (p: Point): number | null => {
      const view = viewRef.current;
      const i = venue.grid.nearest(toPlan(view, p), Math.max(venue.seatSize * 0.6, TOUCH_TARGET_PX / view.scale));
      return i >= 0 ? venue.ids[i] : null;
    },
    [venue, viewRef],
  );

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
  }, [local, setView, plan, canvasRef, viewRef, sizeRef]);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture?.(event.pointerId);
    pointers.current.set(event.pointerId, local(event.clientX, event.clientY));
    // A finger's tooltip goes with the next touch, wherever it lands.
    if (event.pointerType !== 'mouse' && hoverRef.current !== null) hover(null);
    const boxing = onBox !== undefined && event.pointerType === 'mouse' && event.button === 0;
    if (pointers.current.size === 1) drag.current = { moved: false, travelled: 0, box: boxing ? local(event.clientX, event.clientY) : null };
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
        if (d.moved && d.box) {
          showBox(d.box, p);
        } else if (d.moved) {
          if (hoverRef.current !== null) hover(null); // a pan takes the tooltip away
          setView(panBy(viewRef.current, p.x - before.x, p.y - before.y, plan, sizeRef.current));
        }
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
    if (d?.box && d.moved) {
      showBox(null);
      const view = viewRef.current;
      const end = local(event.clientX, event.clientY);
      if (tap) onBox?.(seatsInBox(venue, toPlan(view, d.box), toPlan(view, end)), { shift: event.shiftKey });
      return;
    }
    if (!tap || !d || d.moved) return;
    const result = tapAtLocal(local(event.clientX, event.clientY));
    if (result.kind === 'zoom') {
      // The overview: seats too small to tell apart are never held by a tap; it zooms in.
      if (hoverRef.current !== null) hover(null);
      flyTo(result.view);
      return;
    }
    const id = result.kind === 'seat' ? result.id : null;
    if (event.pointerType !== 'mouse') {
      hover(id, true); // a finger has no hover: show the tapped seat's tooltip, for a while
      if (id !== null) tapTipTimer.current = setTimeout(() => hover(null), TAP_TIP_MS);
    }
    if (id === null) return;
    focus.setActive(id);
    onSeat(id, { shift: event.shiftKey });
  };

  /** The box a mouse drag draws (the console), or none. */
  const showBox = (from: Point | null, to?: Point) => {
    const el = boxRef.current;
    if (!el) return;
    el.hidden = from === null || to === undefined;
    if (from === null || to === undefined) return;
    el.style.left = `${Math.min(from.x, to.x)}px`;
    el.style.top = `${Math.min(from.y, to.y)}px`;
    el.style.width = `${Math.abs(to.x - from.x)}px`;
    el.style.height = `${Math.abs(to.y - from.y)}px`;
  };

  const handlers = {
    onPointerDown,
    onPointerMove,
    onPointerUp: (e: PointerEvent<HTMLCanvasElement>) => endPointer(e, true),
    onPointerCancel: (e: PointerEvent<HTMLCanvasElement>) => endPointer(e, false),
    onPointerLeave: (e: PointerEvent<HTMLCanvasElement>) => {
      if (e.pointerType === 'mouse') hover(null);
    },
  };
  return { hoverId, hover, local, seatAtLocal, handlers };
}
