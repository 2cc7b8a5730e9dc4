import { useLayoutEffect, useRef } from 'react';

/**
 * The latest `value`, for callbacks that must keep one identity (memoised children never
 * re-render for them) yet act on current props. Written after commit, not during render: a
 * render React discards (StrictMode, an interrupted transition) never becomes the value.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
