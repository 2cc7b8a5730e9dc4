import { useEffect, useEffectEvent, useRef, type RefObject } from 'react';
import { boxAround, scrolledBy, scrollToShow, type Box, type RevealRequest } from '../model/bringIntoView';

/** Smooth, unless the person asked for less motion. */
export function scrollBehavior(): ScrollBehavior {
  const reduce = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  return reduce ? 'auto' : 'smooth';
}

/** Scrolls the page just far enough that `block` (client coordinates) is on screen. */
export function scrollPageToShow(block: Box, behavior: ScrollBehavior): void {
  const root = document.scrollingElement ?? document.documentElement;
  const to = scrollToShow(
    block,
    { left: 0, top: 0, right: root.clientWidth, bottom: root.clientHeight },
    { left: window.scrollX, top: window.scrollY },
    { left: root.scrollWidth - root.clientWidth, top: root.scrollHeight - root.clientHeight },
    'nearest',
  );
  if (to) window.scrollTo({ ...to, behavior });
}

/**
 * Calls `show` for each request made while the caller is mounted; one made before (the Map
 * view shown again after a search) moves nothing. Focus is never touched: it stays where the buyer
 * is, so the Find seats message is still heard.
 */
export function useRevealRequest(reveal: RevealRequest | null, show: (request: RevealRequest) => void): void {
  const seen = useRef(reveal);
  const onReveal = useEffectEvent(show);
  useEffect(() => {
    if (!reveal || reveal === seen.current) return;
    seen.current = reveal;
    onReveal(reveal);
  }, [reveal]);
}

/** For a scrolling box of seat buttons (the grid, the List view): centre the block in it, then show it on the page. */
export function useRevealInScroller(ref: RefObject<HTMLElement | null>, reveal: RevealRequest | null): void {
  useRevealRequest(reveal, ({ seatIds }) => {
    const scroller = ref.current;
    if (!scroller) return;
    const seats = seatIds.flatMap((id) => {
      const el = scroller.querySelector(`[data-seat-id="${id}"]`);
      return el ? [el.getBoundingClientRect()] : [];
    });
    const block = boxAround(seats);
    if (!block) return;
    const outer = scroller.getBoundingClientRect();
    const left = outer.left + scroller.clientLeft;
    const top = outer.top + scroller.clientTop;
    const from = { left: scroller.scrollLeft, top: scroller.scrollTop };
    const to = scrollToShow(
      block,
      { left, top, right: left + scroller.clientWidth, bottom: top + scroller.clientHeight },
      from,
      { left: scroller.scrollWidth - scroller.clientWidth, top: scroller.scrollHeight - scroller.clientHeight },
      'centre',
    );
    const behavior = scrollBehavior();
    if (to) scroller.scrollTo({ ...to, behavior });
    scrollPageToShow(to ? scrolledBy(block, from, to) : block, behavior);
  });
}
