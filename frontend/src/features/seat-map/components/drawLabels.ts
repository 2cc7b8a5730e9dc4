/**
 * The words on the room's canvas: the stage's and the shapes' names, and on the overview each
 * section's name over its seats, placed so that none overlaps another or hides a seat.
 */
import type { Box } from '../model/bringIntoView';
import { centredBox, fitTextPx, placeLabels, type LabelCandidate } from '../model/labels';
import { seatsPickable, type SectionAreas } from '../model/overview';
import type { Size, View } from '../model/planView';
import type { Venue } from '../model/venue';

/** What the words are placed by: the frame's canvas, view and room, and the overview's sections. */
export interface LabelInput {
  ctx: CanvasRenderingContext2D;
  size: Size;
  view: View;
  venue: Venue;
  areas?: SectionAreas | null;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

interface Label extends LabelCandidate {
  x: number;
  y: number;
  px: number;
  colour: string;
  /** Drawn turned a quarter anticlockwise (a tall, narrow stage). */
  turned?: boolean;
  /** A white edge, for words drawn over seats. */
  halo?: boolean;
}

const SECTION_LABEL_PX = 12;
const SHAPE_LABEL_PX = 12;

function textWidth(ctx: CanvasRenderingContext2D, text: string, px: number): number {
  ctx.font = `600 ${px}px ${FONT}`;
  return ctx.measureText(text).width;
}

/** A word inside a box (x, y, w, h on screen) at one scale: smaller if need be, turned if the box is tall, else none. */
function labelInside(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, w: number, h: number, px: number, colour: string): Label | null {
  const turned = h > w * 1.5;
  const room = (turned ? h : w) - 8;
  const across = turned ? w : h;
  const start = Math.min(px, across * 0.7);
  const size = fitTextPx(textWidth(ctx, text, start), start, room);
  if (size === null) return null;
  const width = textWidth(ctx, text, size);
  const cx = x + w / 2;
  const cy = y + h / 2;
  const box = turned ? centredBox(cx, cy, size, width) : centredBox(cx, cy, width, size);
  return { text, box, x: cx, y: cy, px: size, colour, turned };
}

function seatsUnder(venue: Venue, view: View, box: Box): boolean {
  const pad = venue.seatSize / 2;
  const s = view.scale;
  return venue.grid.anyIn((box.left - view.x) / s - pad, (box.top - view.y) / s - pad, (box.right - view.x) / s + pad, (box.bottom - view.y) / s + pad);
}

/**
 * The words: the stage's and the shapes' first (kept inside their shape at one scale, or above a
 * box, never over its seats), then, on the overview, each section's name over its seats: the
 * larger sections first, any that would overlap another left out.
 */
export function drawLabels({ ctx, view, venue, size, areas }: LabelInput): string[] {
  const s = view.scale;
  const overview = !seatsPickable(venue, view);
  const sectionNames = new Set(areas?.parts.map((p) => p.name) ?? []);
  const fixed: Label[] = [];
  for (const shape of venue.shapes) {
    if (shape.kind === 'rect') {
      if (!shape.label) continue;
      const x = shape.x * s + view.x;
      const y = shape.y * s + view.y;
      const w = shape.width * s;
      const h = shape.height * s;
      if (shape.role === 'stage') {
        const label = labelInside(ctx, shape.label.toUpperCase(), x, y, w, h, 28, '#ffffff');
        if (label) fixed.push(label);
      } else if (shape.role === 'section') {
        // A box's name goes above it, where it covers none of its seats (or is left out).
        const width = textWidth(ctx, shape.label, SHAPE_LABEL_PX);
        const box = { left: x + w / 2 - width / 2, top: y - 3 - SHAPE_LABEL_PX, right: x + w / 2 + width / 2, bottom: y - 3 };
        if (!seatsUnder(venue, view, box)) fixed.push({ text: shape.label, box, x: x + w / 2, y: (box.top + box.bottom) / 2, px: SHAPE_LABEL_PX, colour: '#374151' });
      } else {
        const label = labelInside(ctx, shape.label, x, y, w, h, 16, '#374151');
        if (label && !seatsUnder(venue, view, label.box)) fixed.push(label);
      }
    } else {
      // The overview names the sections itself; the plan's own words for them are for close up.
      if (overview && sectionNames.has(shape.text)) continue;
      const px = Math.min((shape.size ?? 12) * s, 48);
      if (px < 8) continue;
      const x = shape.x * s + view.x;
      const y = shape.y * s + view.y;
      fixed.push({ text: shape.text, box: centredBox(x, y, textWidth(ctx, shape.text, px), px), x, y, px, colour: '#374151' });
    }
  }
  const names: Label[] = [];
  if (overview && areas) {
    const parts = [...areas.parts].sort((a, b) => b.count - a.count);
    // A part inside a named shape (a box) is named by its shape already.
    const named = venue.shapes.filter((sh) => sh.kind === 'rect' && sh.role === 'section' && sh.label);
    const inNamedShape = (x: number, y: number) =>
      named.some((sh) => sh.kind === 'rect' && x >= sh.x && x <= sh.x + sh.width && y >= sh.y && y <= sh.y + sh.height);
    for (const part of parts) {
      if (inNamedShape(part.x, part.y)) continue;
      const x = part.x * s + view.x;
      const y = part.y * s + view.y;
      const width = textWidth(ctx, part.name, SECTION_LABEL_PX) + 4;
      names.push({ text: part.name, box: centredBox(x, y, width, SECTION_LABEL_PX + 2), x, y, px: SECTION_LABEL_PX, colour: '#111827', halo: true });
    }
  }
  const kept = placeLabels([...fixed, ...names], size);
  for (const l of kept) drawText(ctx, l);
  return kept.map((l) => l.text);
}

function drawText(ctx: CanvasRenderingContext2D, l: Label): void {
  ctx.save();
  ctx.translate(l.x, l.y);
  if (l.turned) ctx.rotate(-Math.PI / 2);
  ctx.font = `600 ${l.px}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (l.halo) {
    ctx.lineWidth = 3;
    ctx.lineJoin = 'round';
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
    ctx.strokeText(l.text, 0, 0);
  }
  ctx.fillStyle = l.colour;
  ctx.fillText(l.text, 0, 0);
  ctx.restore();
}
