/**
 * One frame of the room on a 2D canvas: shapes (stage, sections), then the seats grouped by
 * paint (one path and one fill per group, not per seat), then the marks that tell the state
 * without colour, the words (stage, shapes, and on the overview the sections' names), the
 * buyer's own seats (larger, ringed, ticked: findable at any zoom), the seats Find seats found,
 * the console's selection, and the hovered / active seat's ring. Seats off screen are skipped.
 * The console's overlay (kept back, killed, selected) costs nothing per seat when it is empty.
 */
import { NO_CATEGORY_COLOUR, inkOn, type CategoryIndex } from '../model/categories';
import type { SectionAreas } from '../model/overview';
import type { Size, View } from '../model/planView';
import { PAINT_COLOURS, paintKey, seatPaint, type SeatMark, type SeatPaint } from '../model/seatPaint';
import type { Seat } from '../model/seat';
import { drawnKind, seatKind, type DrawnKind } from '../model/seatKinds';
import type { SeatOverlay } from '../model/seatOverlay';
import type { Venue } from '../model/venue';
import { drawLabels } from './drawLabels';

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
  /** The sections, named on the overview (when seats are too small to pick). */
  areas?: SectionAreas | null;
  /** Seats to point out (found by Find seats): a wide ring round each. */
  highlights?: readonly number[];
  /** The console's marks: seats kept back or killed, and those selected. */
  overlay?: SeatOverlay | null;
}

export interface FrameStats {
  /** Seats drawn (on screen). */
  drawn: number;
  /** The buyer's own seats drawn (held or booked by them). */
  own: number;
  /** The words drawn, in the order drawn. */
  labels: string[];
  /** The console's selected seats drawn. */
  selected: number;
}

const NO_CATEGORY_INK = inkOn(NO_CATEGORY_COLOUR);

export function drawFrame(input: FrameInput): FrameStats {
  const { ctx, dpr, size } = input;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  drawShapes(input);
  const { drawn, own } = drawSeats(input);
  const labels = drawLabels(input);
  // The buyer's own seats over everything but the rings: no section name may hide them.
  let ownDrawn = 0;
  for (const g of own.groups) ownDrawn += drawOwn(ctx, g, own.seatR);
  const selected = ringSeats(input, input.overlay?.selectedIds(), SELECTION);
  ringSeats(input, input.highlights, HIGHLIGHT);
  drawRings(input);
  return { drawn, own: ownDrawn, labels, selected };
}

function drawShapes({ ctx, view, venue, size }: FrameInput): void {
  const s = view.scale;
  for (const shape of venue.shapes) {
    if (shape.kind !== 'rect') continue;
    const x = shape.x * s + view.x;
    const y = shape.y * s + view.y;
    const w = shape.width * s;
    const h = shape.height * s;
    if (x > size.width || y > size.height || x + w < 0 || y + h < 0) continue;
    if (shape.role === 'stage') {
      ctx.fillStyle = '#1f2937';
      ctx.fillRect(x, y, w, h);
    } else if (shape.role === 'section') {
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = '#9ca3af';
      ctx.lineWidth = 1;
      ctx.strokeRect(x, y, w, h);
      ctx.setLineDash([]);
    } else {
      ctx.fillStyle = '#f3f4f6';
      ctx.strokeStyle = '#d1d5db';
      ctx.lineWidth = 1;
      ctx.fillRect(x, y, w, h);
      ctx.strokeRect(x, y, w, h);
    }
  }
}

interface Group {
  paint: SeatPaint;
  xs: number[];
  ys: number[];
}

const KIND_INDEX: Record<DrawnKind, number> = {
  available: 0,
  'held-mine': 1,
  'held-other': 2,
  'booked-mine': 3,
  'booked-other': 4,
  kept: 5,
  killed: 6,
  'paying-mine': 7,
  'paying-other': 8,
};
const KINDS = 9;

function drawSeats({ ctx, view, venue, size, seat, categories, overlay }: FrameInput): { drawn: number; own: { groups: Group[]; seatR: number } } {
  const s = view.scale;
  const r = Math.max(0.75, (venue.seatSize / 2) * s);
  // Seats drawn alike share a group, found by a small number: (category, state, shape).
  const ordinal = new Map<number, number>();
  let o = 1;
  for (const id of categories.keys()) ordinal.set(id, o++);
  const groups = new Map<number, Group>();
  const own: Group[] = [];
  let drawn = 0;
  const { ids, xs: px, ys: py } = venue;
  const left = -r;
  const top = -r;
  const right = size.width + r;
  const bottom = size.height + r;
  const marks = overlay && overlay.offSaleCount > 0 ? overlay.mark : null;
  for (let i = 0; i < ids.length; i += 1) {
    const x = px[i] * s + view.x;
    if (x < left || x > right) continue;
    const y = py[i] * s + view.y;
    if (y < top || y > bottom) continue;
    const st = seat(ids[i]);
    if (!st) continue;
    const kind = marks ? drawnKind(st, marks(ids[i])) : seatKind(st);
    const cat = st.category === null ? 0 : (ordinal.get(st.category) ?? 0);
    const key = (cat * KINDS + KIND_INDEX[kind]) * 2 + (st.accessible ? 1 : 0);
    let group = groups.get(key);
    if (!group) {
      const category = st.category !== null ? categories.get(st.category) : undefined;
      const paint = seatPaint(kind, category?.colour ?? NO_CATEGORY_COLOUR, category?.ink ?? NO_CATEGORY_INK, st.accessible);
      group = { paint, xs: [], ys: [] };
      groups.set(key, group);
      if (kind === 'held-mine' || kind === 'booked-mine' || kind === 'paying-mine') own.push(group);
    }
    group.xs.push(x);
    group.ys.push(y);
    drawn += 1;
  }
  // Groups that look the same (e.g. booked seats of every category) are drawn as one path.
  const merged = new Map<string, Group>();
  for (const g of groups.values()) {
    if (own.includes(g)) continue;
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
  return { drawn, own: { groups: own, seatR } };
}

/** The smallest radius (px) of the buyer's own seats: big enough for a ring and a tick at any zoom. */
export const OWN_SEAT_MIN_R = 6;

/**
 * The buyer's own seats over the others: larger than a seat (at least OWN_SEAT_MIN_R), on a
 * white edge, with a dark ring and their mark (a tick when held, a diamond when booked); on the
 * overview a dark pin.
 */
function drawOwn(ctx: CanvasRenderingContext2D, { paint, xs, ys }: Group, seatR: number): number {
  const R = Math.max(OWN_SEAT_MIN_R, seatR + 1.5);
  // Among seats too small to read, their colour is everywhere: a dark pin with a white mark stands out.
  const pin = seatR < OWN_SEAT_MIN_R / 2;
  const fill = pin ? PAINT_COLOURS.heldRing : paint.fill;
  const markColour = pin ? '#ffffff' : paint.markColour;
  const outline = (grow: number) => {
    ctx.beginPath();
    for (let k = 0; k < xs.length; k += 1) {
      const q = R + grow;
      if (paint.shape === 'square') ctx.rect(xs[k] - q, ys[k] - q, q * 2, q * 2);
      else {
        ctx.moveTo(xs[k] + q, ys[k]);
        ctx.arc(xs[k], ys[k], q, 0, Math.PI * 2);
      }
    }
  };
  outline(2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  outline(0);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = Math.max(2, R * 0.3);
  ctx.strokeStyle = PAINT_COLOURS.heldRing;
  ctx.stroke();
  if (paint.mark) drawMarks(ctx, paint.mark, markColour, xs, ys, R);
  return xs.length;
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
      case 'bar':
        ctx.moveTo(x - a, y);
        ctx.lineTo(x + a, y);
        break;
      case 'slash':
        ctx.moveTo(x + a, y - a);
        ctx.lineTo(x - a, y + a);
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

/** A ring round a seat: at least `minR`, else the seat's radius plus `grow` (px). */
interface Ring {
  minR: number;
  grow: number;
  width: number;
  colour: string;
}

/** The seats Find seats found: a wide amber ring. */
const HIGHLIGHT: Ring = { minR: OWN_SEAT_MIN_R + 4, grow: 5, width: 3, colour: '#d97706' };
/** The console's selected seats: a violet ring. */
const SELECTION: Ring = { minR: OWN_SEAT_MIN_R, grow: 2.5, width: 2.5, colour: PAINT_COLOURS.selected };

/** A ring on a white edge round each of `ids`, at any zoom; how many were drawn. */
function ringSeats({ ctx, view, venue }: FrameInput, ids: readonly number[] | undefined, ring: Ring): number {
  if (!ids || ids.length === 0) return 0;
  const r = Math.max(ring.minR, (venue.seatSize / 2) * view.scale + ring.grow);
  let drawn = 0;
  ctx.beginPath();
  for (const id of ids) {
    const i = venue.index.get(id);
    if (i === undefined) continue;
    const x = venue.xs[i] * view.scale + view.x;
    const y = venue.ys[i] * view.scale + view.y;
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, Math.PI * 2);
    drawn += 1;
  }
  ctx.lineWidth = ring.width * 2;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  ctx.lineWidth = ring.width;
  ctx.strokeStyle = ring.colour;
  ctx.stroke();
  return drawn;
}
