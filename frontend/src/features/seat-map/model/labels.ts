/**
 * Where the room's words go: each label kept at its own proportions (never squeezed to fit),
 * placed only where it overlaps no label placed before it, inside the canvas. Pure: the caller
 * measures text and draws.
 */
import type { Box } from './bringIntoView';
import type { Size } from './planView';

/** Text is not drawn smaller than this (CSS px): smaller cannot be read. */
export const MIN_TEXT_PX = 9;

export interface LabelCandidate {
  text: string;
  /** The label's box on screen (CSS px). */
  box: Box;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * The candidates that can be drawn, in the order given (the caller puts the most important
 * first): each one inside the viewport and clear of every one kept before it and of `taken`.
 */
export function placeLabels<T extends LabelCandidate>(candidates: readonly T[], viewport: Size, taken: readonly Box[] = []): T[] {
  const kept: T[] = [];
  const boxes: Box[] = [...taken];
  for (const c of candidates) {
    const b = c.box;
    if (b.left < 0 || b.top < 0 || b.right > viewport.width || b.bottom > viewport.height) continue;
    if (boxes.some((o) => overlaps(o, b))) continue;
    kept.push(c);
    boxes.push(b);
  }
  return kept;
}

/**
 * The font size (px) at which text of `width` at `px` fits `room` wide, scaled uniformly; null
 * when it would be smaller than MIN_TEXT_PX.
 */
export function fitTextPx(width: number, px: number, room: number): number | null {
  const size = width <= room ? px : (px * room) / Math.max(width, 1e-9);
  return size >= MIN_TEXT_PX ? size : null;
}

/** A box of `width` × `height` centred at (x, y). */
export function centredBox(x: number, y: number, width: number, height: number): Box {
  return { left: x - width / 2, top: y - height / 2, right: x + width / 2, bottom: y + height / 2 };
}
