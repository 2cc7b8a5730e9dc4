import { useLayoutEffect, useState, type ReactNode, type RefObject } from 'react';

/**
 * The grid's one scrolling surface: each row on one line, the row letters held at the left edge
 * (styles.css), and, when the rows are wider than the screen, a cue that says so: no seat hides
 * in a scroller nobody knew was there.
 */
export function GridScroller({ ref, children }: { ref: RefObject<HTMLDivElement | null>; children: ReactNode }) {
  const wider = useWiderThanBox(ref);
  return (
    <>
      {wider && (
        <p className="hint grid-cue" data-testid="grid-cue">
          <span aria-hidden="true">⇆ </span>The rows are wider than the screen: swipe or scroll sideways to see every seat.
        </p>
      )}
      <div ref={ref} className="seat-map__scroll seat-map__scroll--grid" aria-label="Seat map" role="region" tabIndex={-1}>
        {children}
      </div>
    </>
  );
}

/** Whether the box's content runs wider than the box (measured on every change of either). */
function useWiderThanBox(ref: RefObject<HTMLElement | null>): boolean {
  const [wider, setWider] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const measure = () => setWider(el.scrollWidth > el.clientWidth + 1);
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return wider;
}
