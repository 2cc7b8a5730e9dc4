import { useCallback, useSyncExternalStore } from 'react';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatOverlay } from '../model/seatOverlay';
import type { SeatStore } from '../model/seatStore';

/** One seat's state: this component re-renders when this seat changes, and for nothing else. */
export function useSeat(store: SeatStore, id: number) {
  const subscribe = useCallback((cb: () => void) => store.subscribeSeat(id, cb), [store, id]);
  const get = useCallback(() => store.getSeat(id), [store, id]);
  return useSyncExternalStore(subscribe, get);
}

export function useIsFocusStop(focus: RovingFocus, id: number) {
  const subscribe = useCallback((cb: () => void) => focus.subscribe(id, cb), [focus, id]);
  const get = useCallback(() => focus.isActive(id), [focus, id]);
  return useSyncExternalStore(subscribe, get);
}

export function useHeldSeats(store: SeatStore) {
  return useSyncExternalStore(store.subscribeHeld, store.getHeld);
}

/** How many seats this user has booked of the event, as this page knows. */
export function useBookedCount(store: SeatStore) {
  return useSyncExternalStore(store.subscribeHeld, store.getBookedCount);
}

/** The console's marks on one seat (model/seatOverlay.ts). */
export function useSeatMark(overlay: SeatOverlay, id: number): number {
  const subscribe = useCallback((cb: () => void) => overlay.subscribeSeat(id, cb), [overlay, id]);
  const get = useCallback(() => overlay.mark(id), [overlay, id]);
  return useSyncExternalStore(subscribe, get);
}
