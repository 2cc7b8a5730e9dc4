/**
 * Plan → screen: where the room's plan (units of the layout, y downwards) lands on the canvas.
 *
 * `screen = plan * scale + offset`, in CSS pixels. Every move goes through `clampView`, so the
 * room never leaves the screen: a plan narrower than the viewport is centred, a wider one may
 * be dragged until its edge meets the viewport's edge (plus a margin), no further.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface View {
  scale: number;
  x: number;
  y: number;
}

/** Free space kept around the plan when fitted, and allowed past its edges when dragged (px). */
export const MARGIN = 16;
/** How far in one may zoom, relative to the fitted view. */
export const MAX_ZOOM = 40;

export function toScreen(view: View, p: Point): Point {
  return { x: p.x * view.scale + view.x, y: p.y * view.scale + view.y };
}

export function toPlan(view: View, p: Point): Point {
  return { x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale };
}

/** The scale at which the whole plan fits the viewport with a margin. */
export function fitScale(plan: Size, viewport: Size, margin = MARGIN): number {
  const w = Math.max(1, viewport.width - 2 * margin);
  const h = Math.max(1, viewport.height - 2 * margin);
  const s = Math.min(w / Math.max(plan.width, 1e-9), h / Math.max(plan.height, 1e-9));
  return Number.isFinite(s) && s > 0 ? s : 1;
}

export interface ScaleLimits {
  min: number;
  max: number;
}

export function scaleLimits(plan: Size, viewport: Size): ScaleLimits {
  const fit = fitScale(plan, viewport);
  return { min: fit, max: fit * MAX_ZOOM };
}

/** The whole room, centred: the default view (on phones above all). */
export function fitView(plan: Size, viewport: Size): View {
  const scale = fitScale(plan, viewport);
  return {
    scale,
    x: (viewport.width - plan.width * scale) / 2,
    y: (viewport.height - plan.height * scale) / 2,
  };
}

function clampAxis(offset: number, content: number, viewport: number, margin: number): number {
  if (content <= viewport - 2 * margin) return (viewport - content) / 2;
  const min = viewport - margin - content; // right/bottom edge of the plan at the viewport's edge
  const max = margin; // left/top edge of the plan at the viewport's edge
  return Math.min(max, Math.max(min, offset));
}

/** Scale within the limits, offsets such that the plan stays on screen. */
export function clampView(view: View, plan: Size, viewport: Size, margin = MARGIN): View {
  const { min, max } = scaleLimits(plan, viewport);
  const scale = Math.min(max, Math.max(min, view.scale));
  return {
    scale,
    x: clampAxis(view.x, plan.width * scale, viewport.width, margin),
    y: clampAxis(view.y, plan.height * scale, viewport.height, margin),
  };
}

/** Zoom by `factor`, keeping the plan point under `anchor` (a screen point) where it is. */
export function zoomAt(view: View, factor: number, anchor: Point, plan: Size, viewport: Size): View {
  const { min, max } = scaleLimits(plan, viewport);
  const scale = Math.min(max, Math.max(min, view.scale * factor));
  const under = toPlan(view, anchor);
  return clampView({ scale, x: anchor.x - under.x * scale, y: anchor.y - under.y * scale }, plan, viewport);
}

export function panBy(view: View, dx: number, dy: number, plan: Size, viewport: Size): View {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, plan, viewport);
}

/** Whether two views are the same to a hundredth of a pixel (no redraw needed). */
export function sameView(a: View, b: View): boolean {
  return Math.abs(a.scale - b.scale) < 1e-9 && Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
}

/** Zoom factor for a mouse wheel's `deltaY` (pixels; lines are converted by the caller). */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-Math.max(-300, Math.min(300, deltaY)) * 0.002);
}

/** A keyboard command on the map: + / − zoom around the centre, arrows pan, 0 fits. */
export function keyView(key: string, view: View, plan: Size, viewport: Size): View | null {
  const centre = { x: viewport.width / 2, y: viewport.height / 2 };
  const stepX = viewport.width * 0.15;
  const stepY = viewport.height * 0.15;
  switch (key) {
    case '+':
    case '=':
      return zoomAt(view, 1.25, centre, plan, viewport);
    case '-':
    case '_':
      return zoomAt(view, 1 / 1.25, centre, plan, viewport);
    case '0':
      return fitView(plan, viewport);
    case 'ArrowLeft':
      return panBy(view, stepX, 0, plan, viewport);
    case 'ArrowRight':
      return panBy(view, -stepX, 0, plan, viewport);
    case 'ArrowUp':
      return panBy(view, 0, stepY, plan, viewport);
    case 'ArrowDown':
      return panBy(view, 0, -stepY, plan, viewport);
    default:
      return null;
  }
}

/** Two fingers: the new view after they moved from (a0, b0) to (a1, b1). */
export function pinchView(view: View, a0: Point, b0: Point, a1: Point, b1: Point, plan: Size, viewport: Size): View {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y);
  const d1 = Math.hypot(b1.x - a1.x, b1.y - a1.y);
  const mid0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
  const mid1 = { x: (a1.x + b1.x) / 2, y: (a1.y + b1.y) / 2 };
  const zoomed = d0 > 0 ? zoomAt(view, d1 / d0, mid0, plan, viewport) : view;
  return panBy(zoomed, mid1.x - mid0.x, mid1.y - mid0.y, plan, viewport);
}
