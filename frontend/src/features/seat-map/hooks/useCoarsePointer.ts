import { useSyncExternalStore } from 'react';

const QUERY = '(pointer: coarse)';

function subscribe(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const list = window.matchMedia(QUERY);
  list.addEventListener('change', onChange);
  return () => list.removeEventListener('change', onChange);
}

const read = (): boolean => typeof window.matchMedia === 'function' && window.matchMedia(QUERY).matches;

/** Whether the main pointer is a finger (a phone, a tablet): for wording help as taps, not keys. */
export function useCoarsePointer(): boolean {
  return useSyncExternalStore(subscribe, read, () => false);
}
