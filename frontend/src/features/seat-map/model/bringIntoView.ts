/**
 * Showing a block of seats that Find seats held: how to pan the room's plan, and where to scroll
 * a scrolling box (the list, the grid, the page), so the block's seats are on screen. A block
 * already on screen stays where it is; one that is not is centred on the map, and brought just
 * inside the page's edge (so the form and its message above stay in sight where they can).
 * Pure: the DOM work is the caller's.
 */
import { toScreen, type View } from './planView';
import type { Venue } from './venue';

/** A rectangle by its edges, in any one coordinate system (a DOMRect is one). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface ScrollOffset {
  left: number;
  top: number;
}

/** A request to show these seats; a new object per request, so the same block asked twice is shown twice. */
export interface RevealRequest {
  seatIds: readonly number[];
}

/** Space kept between the block and the edge of the box it is shown in (px). */
export const REVEAL_MARGIN = 24;

/** The smallest box around all of `boxes`, or null for none. */
export function boxAround(boxes: readonly Box[]): Box | null {
  if (boxes.length === 0) return null;
  return {
    left: Math.min(...boxes.map((b) => b.left)),
    top: Math.min(...boxes.map((b) => b.top)),
    right: Math.max(...boxes.map((b) => b.right)),
    bottom: Math.max(...boxes.map((b) => b.bottom)),
  };
}

/** The block on the room's plan (plan units): its seats' centres, each grown by half a seat. */
export function blockOnPlan(venue: Venue, seatIds: readonly number[]): Box | null {
  const half = venue.seatSize / 2;
  const boxes: Box[] = [];
  for (const id of seatIds) {
    const i = venue.index.get(id);
    if (i === undefined) continue;
    boxes.push({ left: venue.xs[i] - half, top: venue.ys[i] - half, right: venue.xs[i] + half, bottom: venue.ys[i] + half });
  }
  return boxAround(boxes);
}

function showOnAxis(start: number, end: number, portStart: number, portEnd: number, offset: number, max: number, centre: boolean): number {
  const margin = Math.min(REVEAL_MARGIN, (portEnd - portStart) / 4);
  const low = portStart + margin;
  const high = portEnd - margin;
  if (start >= low && end <= high) return offset;
  let delta: number;
  if (end - start > high - low) delta = start - low; // larger than the box: its start
  else if (centre) delta = (start + end) / 2 - (portStart + portEnd) / 2;
  else delta = start < low ? start - low : end - high;
  return Math.min(Math.max(0, max), Math.max(0, offset + delta));
}

/**
 * The scroll offset at which `block` shows inside `port`, or null when no scroll is needed (or
 * none can help). `block` and `port` (the box's visible inside) are in the same coordinates, as
 * they are now at scroll offset `scroll`; `max` is the furthest the box scrolls.
 */
export function scrollToShow(
  block: Box,
  port: Box,
  scroll: ScrollOffset,
  max: ScrollOffset,
  align: 'centre' | 'nearest',
): ScrollOffset | null {
  const centre = align === 'centre';
  const left = showOnAxis(block.left, block.right, port.left, port.right, scroll.left, max.left, centre);
  const top = showOnAxis(block.top, block.bottom, port.top, port.bottom, scroll.top, max.top, centre);
  if (Math.abs(left - scroll.left) < 1 && Math.abs(top - scroll.top) < 1) return null;
  return { left, top };
}

/** `box` after its scrolling box moved from `from` to `to`. */
export function scrolledBy(box: Box, from: ScrollOffset, to: ScrollOffset): Box {
  const dx = to.left - from.left;
  const dy = to.top - from.top;
  return { left: box.left - dx, top: box.top - dy, right: box.right - dx, bottom: box.bottom - dy };
}

/** Where `block` (plan units) is on the canvas under `view`, in canvas pixels. */
export function blockOnScreen(view: View, block: Box): Box {
  const a = toScreen(view, { x: block.left, y: block.top });
  const b = toScreen(view, { x: block.right, y: block.bottom });
  return { left: a.x, top: a.y, right: b.x, bottom: b.y };
}
