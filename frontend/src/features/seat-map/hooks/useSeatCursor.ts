import { useCallback, useSyncExternalStore, type RefObject } from 'react';
import { blockOnPlan } from '../model/bringIntoView';
import { isNavKey, neighbour, type MapLayout } from '../model/layout';
import { viewToReveal } from '../model/overview';
import { toPlan, type Size, type View } from '../model/planView';
import type { RovingFocus } from '../model/rovingFocus';
import type { Venue } from '../model/venue';

interface SeatCursorInput {
  venue: Venue;
  layout: MapLayout;
  focus: RovingFocus;
  viewRef: RefObject<View>;
  sizeRef: RefObject<Size>;
  plan: Size;
  setView: (next: View) => void;
}

/**
 * The canvas's seat cursor: the seat a person chose (clicked, or moved to by key), kept in the
 * map's RovingFocus so the List view starts where the Map left off. The arrows move it seat to
 * seat and row to row as in the List (model/layout.ts neighbour); the first key puts it on the
 * seat nearest the middle of the view. The view follows it, zoomed in to where seats can be picked.
 */
export function useSeatCursor({ venue, layout, focus, viewRef, sizeRef, plan, setView }: SeatCursorInput) {
  const chosen = useCallback(
    () => (focus.chosen && focus.activeId !== null && venue.index.has(focus.activeId) ? focus.activeId : null),
    [focus, venue],
  );
  const cursor = useSyncExternalStore(focus.subscribeActive, chosen);

  /** Moves the cursor for a key; false when the key is no move. */
  const move = useCallback(
    (key: string, ctrl: boolean): boolean => {
      if (!isNavKey(key)) return false;
      const from = chosen();
      let next: number;
      if (from === null) {
        const size = sizeRef.current;
        const middle = toPlan(viewRef.current, { x: size.width / 2, y: size.height / 2 });
        const i = venue.grid.nearest(middle, Math.hypot(venue.width, venue.height));
        if (i < 0) return true;
        next = venue.ids[i];
      } else {
        next = neighbour(layout, from, key, ctrl);
      }
      focus.setActive(next);
      const block = blockOnPlan(venue, [next]);
      const view = block && viewToReveal(viewRef.current, venue, block, plan, sizeRef.current);
      if (view) setView(view);
      return true;
    },
    [chosen, venue, layout, focus, viewRef, sizeRef, plan, setView],
  );
  return { cursor, move };
}
