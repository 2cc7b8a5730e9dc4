import { useRef, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import type { SeatPick } from '../hooks/useMapPointer';

const DRAG_PX = 5;

/** The grid's seats with a box drawn by a mouse drag over them (the canvas draws its own). */
export function GridBox({ onBox, help, children }: { onBox: (ids: number[], pick: SeatPick) => void; help?: string; children: ReactNode }) {
  const wrap = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const dragged = useRef(false);

  const rectOf = (start: { x: number; y: number }, event: PointerEvent) => ({
    left: Math.min(start.x, event.clientX),
    top: Math.min(start.y, event.clientY),
    right: Math.max(start.x, event.clientX),
    bottom: Math.max(start.y, event.clientY),
  });
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.pointerType !== 'mouse' || event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
    dragged.current = false;
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start || !wrap.current || !box.current) return;
    if (!start.moved && Math.hypot(event.clientX - start.x, event.clientY - start.y) < DRAG_PX) return;
    if (!start.moved) wrap.current.setPointerCapture?.(event.pointerId);
    start.moved = true;
    const r = rectOf(start, event);
    const at = wrap.current.getBoundingClientRect();
    Object.assign(box.current.style, { left: `${r.left - at.left}px`, top: `${r.top - at.top}px`, width: `${r.right - r.left}px`, height: `${r.bottom - r.top}px` });
    box.current.hidden = false;
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    drag.current = null;
    if (!start?.moved || !wrap.current || !box.current) return;
    box.current.hidden = true;
    dragged.current = true; // the click that ends the drag selects nothing more
    const r = rectOf(start, event);
    const ids: number[] = [];
    wrap.current.querySelectorAll<HTMLElement>('[data-seat-id]').forEach((el) => {
      const b = el.getBoundingClientRect();
      if (b.right >= r.left && b.left <= r.right && b.bottom >= r.top && b.top <= r.bottom) ids.push(Number(el.dataset.seatId));
    });
    onBox(ids, { shift: event.shiftKey });
  };
  const onClickCapture = (event: MouseEvent) => {
    if (!dragged.current) return;
    dragged.current = false;
    event.stopPropagation();
  };
  return (
    <div className="console-grid">
      <div
        ref={wrap}
        className="console-grid__seats seat-map__scroll seat-map__scroll--grid"
        role="region"
        aria-label="Seat map"
        tabIndex={-1}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onClickCapture={onClickCapture}
      >
        {children}
        <div ref={box} className="venue-map__box" hidden aria-hidden="true" data-testid="map-box" />
      </div>
      {help && <p className="hint">{help}</p>}
    </div>
  );
}
