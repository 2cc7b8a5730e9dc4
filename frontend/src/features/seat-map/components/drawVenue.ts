/**
 * One frame of the room on a 2D canvas: shapes (stage, sections, texts), then the seats grouped
 * by paint (one path and one fill per group, not per seat), then the marks that tell the state
 * without colour, then the hovered / active seat's ring. Seats off screen are skipped.
 */
import { NO_CATEGORY_COLOUR, inkOn, type CategoryIndex } from '../model/categories';
import type { Size, View } from '../model/planView';
import { PAINT_COLOURS, paintKey, seatPaint, type SeatMark, type SeatPaint } from '../model/seatPaint';
import type { Seat } from '../model/seat';
import { seatKind, type SeatKind } from '../model/seatKinds';
import type { Venue } from '../model/venue';

export interface FrameInput {
  ctx: CanvasRenderingContext2D;
  dpr: number;
  size: Size;
  view: View;
  venue: Venue;
  seat: (id: number) => Seat | undefined;
  categories: CategoryIndex;
  /** Seats drawn with a focus ring (hovered, active). */
  rings: readonly number[];
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const NO_CATEGORY_INK = inkOn(NO_CATEGORY_COLOUR);

export function drawFrame(input: FrameInput): number {
  const { ctx, dpr, size } = input;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  drawShapes(input);
  const drawn = drawSeats(input);
  drawRings(input);
  return drawn;
}

function drawShapes({ ctx, view, venue, size }: FrameInput): void {
  const s = view.scale;
  for (const shape of venue.shapes) {
    if (shape.kind === 'rect') {
      const x = shape.x * s + view.x;
      const y = shape.y * s + view.y;
      const w = shape.width * s;
      const h = shape.height * s;
      if (x > size.width || y > size.height || x + w < 0 || y + h < 0) continue;
      if (shape.role === 'stage') {
        ctx.fillStyle = '#1f2937';
        ctx.fillRect(x, y, w, h);
        if (shape.label) label(ctx, shape.label.toUpperCase(), x + w / 2, y + h / 2, Math.min(28, Math.max(10, h * 0.45)), '#ffffff', 'center', w);
      } else if (shape.role === 'section') {
        ctx.setLineDash([6, 4]);
        ctx.strokeStyle = '#9ca3af';
        ctx.lineWidth = 1;
        ctx.strokeRect(x, y, w, h);
        ctx.setLineDash([]);
        if (shape.label) label(ctx, shape.label, x + 6, y + 4, 13, '#374151', 'left', w - 12, 'top');
      } else {
        ctx.fillStyle = '#f3f4f6';
        ctx.strokeStyle = '#d1d5db';
        ctx.lineWidth = 1;
        ctx.fillRect(x, y, w, h);
        ctx.strokeRect(x, y, w, h);
        if (shape.label) label(ctx, shape.label, x + w / 2, y + h / 2, Math.min(16, Math.max(10, h * 0.4)), '#374151', 'center', w);
      }
    } else {
      const px = (shape.size ?? 12) * s;
      if (px < 8) continue;
      label(ctx, shape.text, shape.x * s + view.x, shape.y * s + view.y, Math.min(px, 48), '#374151', 'center', Infinity);
    }
  }
}

function label(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  px: number,
  colour: string,
  align: CanvasTextAlign,
  maxWidth: number,
  baseline: CanvasTextBaseline = 'middle',
): void {
  if (maxWidth < 12) return;
  ctx.font = `600 ${px}px ${FONT}`;
  ctx.fillStyle = colour;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.fillText(text, x, y, Number.isFinite(maxWidth) ? maxWidth : undefined);
}

interface Group {
  paint: SeatPaint;
  xs: number[];
  ys: number[];
}

const KIND_INDEX: Record<SeatKind, number> = {
  available: 0,
  'held-mine': 1,
  'held-other': 2,
  'booked-mine': 3,
  'booked-other': 4,
};

function drawSeats({ ctx, view, venue, size, seat, categories }: FrameInput): number {
  const s = view.scale;
  const r = Math.max(0.75, (venue.seatSize / 2) * s);
  // Seats drawn alike share a group, found by a small number: (category, state, shape).
  const ordinal = new Map<number, number>();
  let o = 1;
  for (const id of categories.keys()) ordinal.set(id, o++);
  const groups = new Map<number, Group>();
  let drawn = 0;
  const { ids, xs: px, ys: py } = venue;
  const left = -r;
  const top = -r;
  const right = size.width + r;
  const bottom = size.height + r;
  for (let i = 0; i < ids.length; i += 1) {
    const x = px[i] * s + view.x;
    if (x < left || x > right) continue;
    const y = py[i] * s + view.y;
    if (y < top || y > bottom) continue;
    const st = seat(ids[i]);
    if (!st) continue;
    const kind = seatKind(st);
    const cat = st.category === null ? 0 : (ordinal.get(st.category) ?? 0);
    const key = (cat * 5 + KIND_INDEX[kind]) * 2 + (st.accessible ? 1 : 0);
    let group = groups.get(key);
    if (!group) {
      const category = st.category !== null ? categories.get(st.category) : undefined;
      const paint = seatPaint(kind, category?.colour ?? NO_CATEGORY_COLOUR, category?.ink ?? NO_CATEGORY_INK, st.accessible);
      group = { paint, xs: [], ys: [] };
      groups.set(key, group);
    }
    group.xs.push(x);
    group.ys.push(y);
    drawn += 1;
  }
  // Groups that look the same (e.g. booked seats of every category) are drawn as one path.
  const merged = new Map<string, Group>();
  for (const g of groups.values()) {
    const k = paintKey(g.paint) + `|${g.paint.mark ?? ''}|${g.paint.markColour}`;
    const into = merged.get(k);
    if (!into) merged.set(k, g);
    else
      for (let j = 0; j < g.xs.length; j += 1) {
        into.xs.push(g.xs[j]);
        into.ys.push(g.ys[j]);
      }
  }
  const seatR = r >= 2 ? r * 0.9 : r;
  for (const { paint, xs, ys } of merged.values()) {
    ctx.beginPath();
    for (let k = 0; k < xs.length; k += 1) {
      if (paint.shape === 'square' || seatR < 2) {
        ctx.rect(xs[k] - seatR, ys[k] - seatR, seatR * 2, seatR * 2);
      } else {
        ctx.moveTo(xs[k] + seatR, ys[k]);
        ctx.arc(xs[k], ys[k], seatR, 0, Math.PI * 2);
      }
    }
    if (seatR < 2 && paint.ring && paint.fill === PAINT_COLOURS.otherFill) {
      // Too small for a ring: an empty seat would vanish, so draw it faint in its ring's colour.
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = paint.ring;
      ctx.fill();
      ctx.globalAlpha = 1;
    } else {
      ctx.fillStyle = paint.fill;
      ctx.fill();
    }
    if (paint.ring && seatR >= 2) {
      ctx.lineWidth = Math.max(1, seatR * 0.28);
      ctx.strokeStyle = paint.ring;
      ctx.stroke();
    }
    if (paint.mark && r >= 4) drawMarks(ctx, paint.mark, paint.markColour, xs, ys, seatR);
  }
  return drawn;
}

function drawMarks(ctx: CanvasRenderingContext2D, mark: SeatMark, colour: string, xs: number[], ys: number[], r: number): void {
  const a = r * 0.5;
  ctx.beginPath();
  for (let k = 0; k < xs.length; k += 1) {
    const x = xs[k];
    const y = ys[k];
    switch (mark) {
      case 'tick':
        ctx.moveTo(x - a, y);
        ctx.lineTo(x - a * 0.25, y + a * 0.7);
        ctx.lineTo(x + a, y - a * 0.6);
        break;
      case 'cross':
        ctx.moveTo(x - a, y - a);
        ctx.lineTo(x + a, y + a);
        ctx.moveTo(x + a, y - a);
        ctx.lineTo(x - a, y + a);
        break;
      case 'diamond':
        ctx.moveTo(x, y - a);
        ctx.lineTo(x + a, y);
        ctx.lineTo(x, y + a);
        ctx.lineTo(x - a, y);
        ctx.closePath();
        break;
      case 'dots':
        for (const dx of [-a * 0.8, 0, a * 0.8]) {
          ctx.moveTo(x + dx + r * 0.12, y);
          ctx.arc(x + dx, y, r * 0.12, 0, Math.PI * 2);
        }
        break;
      default:
        break;
    }
  }
  if (mark === 'diamond' || mark === 'dots') {
    ctx.fillStyle = colour;
    ctx.fill();
  } else {
    ctx.lineWidth = Math.max(1.2, r * 0.22);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = colour;
    ctx.stroke();
  }
}

function drawRings({ ctx, view, venue, rings }: FrameInput): void {
  const r = Math.max(6, (venue.seatSize / 2) * view.scale + 3);
  for (const id of rings) {
    const i = venue.index.get(id);
    if (i === undefined) continue;
    const x = venue.xs[i] * view.scale + view.x;
    const y = venue.ys[i] * view.scale + view.y;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.lineWidth = 3;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y, r + 1.5, 0, Math.PI * 2);
    ctx.lineWidth = 2;
    ctx.strokeStyle = PAINT_COLOURS.focus;
    ctx.stroke();
  }
}
