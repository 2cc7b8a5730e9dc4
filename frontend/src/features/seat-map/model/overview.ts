/**
 * The room seen whole, the way the big seat maps show it: below a readable seat size the map is
 * a map of sections (named, and a tap zooms into one), above it a map of seats (a tap holds
 * one). Pure: which seats make which section, what a tap at a point means, and where the zoom
 * buttons zoom about.
 */
import { MARGIN, clampView, fitScale, scaleLimits, toPlan, toScreen, zoomAt, type Point, type Size, type View } from './planView';
import type { Box } from './bringIntoView';
import { SEAT_FILL, hitTest, type Venue } from './venue';

/**
 * Below this distance between neighbouring seats (CSS px) a click or tap zooms in instead of
 * holding a seat: a finger (~ 10 mm, ~ 40 px) or a mouse hand that misses by half a pitch would
 * hold the neighbour, and seats closer than this cannot be told apart by eye (4.7 px in the
 * theatre, 1.1 px in the arena on a phone at the fitted zoom).
 */
export const PICK_PITCH_PX = 12;
/** A tap on a section zooms to fit it, but never to less than this pitch (px), so seats can be tapped next... */
export const ZOOMED_MIN_PITCH_PX = 16;
/** ... nor to more than this (a box of four seats would fill the screen). */
export const ZOOMED_MAX_PITCH_PX = 32;
/** A tap on the empty floor of the overview zooms by this much about the point. */
export const EMPTY_TAP_ZOOM = 2;
/** How near (px) to a seat a tap on the overview still means its section. */
export const SECTION_TAP_PX = 24;

/** The distance between neighbouring seats, in plan units. */
export function seatPitch(venue: Venue): number {
  return venue.seatSize / SEAT_FILL;
}

/** The distance between neighbouring seats on screen (CSS px) at this view. */
export function pitchOnScreen(venue: Venue, view: View): number {
  return seatPitch(venue) * view.scale;
}

/** Whether seats are drawn large enough to be picked one by one. */
export function seatsPickable(venue: Venue, view: View): boolean {
  return pitchOnScreen(venue, view) >= PICK_PITCH_PX;
}

/** One part of a section: seats of one section that stand together (a section may be split, as four boxes are). */
export interface SectionPart extends Box {
  name: string;
  count: number;
  /** The centre of its seats' box (plan units). */
  x: number;
  y: number;
}

export interface SectionAreas {
  parts: SectionPart[];
  /** The part of each seat, by venue index (-1: none). */
  partOf: Int32Array;
}

/** Sections as the map's layout gives them (`MapLayout.sections`): a name and rows of seat ids. */
export interface SectionSeats {
  name: string;
  rows: readonly { seatIds: readonly number[] }[];
}

/**
 * Each section's seats, split into parts that stand apart (more than about two seats between
 * them): cells of 2.5 pitches, joined when they touch.
 */
export function sectionAreas(venue: Venue, sections: readonly SectionSeats[]): SectionAreas {
  const partOf = new Int32Array(venue.ids.length).fill(-1);
  const parts: SectionPart[] = [];
  const cell = Math.max(1e-6, seatPitch(venue) * 2.5);
  for (const section of sections) {
    if (section.name === '') continue;
    const cells = new Map<string, number[]>();
    for (const row of section.rows) {
      for (const id of row.seatIds) {
        const i = venue.index.get(id);
        if (i === undefined) continue;
        const key = `${Math.floor(venue.xs[i] / cell)},${Math.floor(venue.ys[i] / cell)}`;
        const bucket = cells.get(key);
        if (bucket) bucket.push(i);
        else cells.set(key, [i]);
      }
    }
    // Flood fill over touching cells (8 neighbours).
    const seen = new Set<string>();
    for (const start of cells.keys()) {
      if (seen.has(start)) continue;
      seen.add(start);
      const queue = [start];
      const members: number[] = [];
      while (queue.length > 0) {
        const key = queue.pop()!;
        members.push(...cells.get(key)!);
        const [cx, cy] = key.split(',').map(Number);
        for (let dx = -1; dx <= 1; dx += 1) {
          for (let dy = -1; dy <= 1; dy += 1) {
            const next = `${cx + dx},${cy + dy}`;
            if (!seen.has(next) && cells.has(next)) {
              seen.add(next);
              queue.push(next);
            }
          }
        }
      }
      const { left, top, right, bottom } = boxOf(venue, members);
      for (const i of members) partOf[i] = parts.length;
      parts.push({ name: section.name, count: members.length, left, top, right, bottom, x: (left + right) / 2, y: (top + bottom) / 2 });
    }
  }
  return { parts, partOf };
}

/** The view that shows `part`: fitted, within the zoomed pitches; about `anchor` (screen) when it does not fit. */
export function viewOfPart(view: View, venue: Venue, part: Box, anchor: Point, plan: Size, viewport: Size): View {
  const pitch = seatPitch(venue);
  const half = venue.seatSize / 2;
  const fit = fitScale({ width: part.right - part.left + 2 * half, height: part.bottom - part.top + 2 * half }, viewport, MARGIN * 2);
  const low = ZOOMED_MIN_PITCH_PX / pitch;
  const high = ZOOMED_MAX_PITCH_PX / pitch;
  const { max } = scaleLimits(plan, viewport);
  const scale = Math.min(max, Math.max(low, Math.min(high, fit)));
  if (scale > fit + 1e-9) {
    // Larger than the screen at a pickable size: zoom about the point tapped, which stays under the finger.
    return zoomAt(view, scale / view.scale, anchor, plan, viewport);
  }
  const centre = { x: (part.left + part.right) / 2, y: (part.top + part.bottom) / 2 };
  return clampView({ scale, x: viewport.width / 2 - centre.x * scale, y: viewport.height / 2 - centre.y * scale }, plan, viewport);
}

export type TapResult = { kind: 'seat'; id: number } | { kind: 'zoom'; view: View; section: string | null } | { kind: 'none' };

/**
 * What a click or tap at screen point `at` means. Seats readable: the seat there (within
 * `touchPx` of a finger), if any. Seats too small: zoom into the section there, or about the
 * point on empty floor; never a seat.
 */
export function tapAt(view: View, venue: Venue, areas: SectionAreas | null, at: Point, plan: Size, viewport: Size, touchPx: number): TapResult {
  const p = toPlan(view, at);
  if (seatsPickable(venue, view)) {
    const id = hitTest(venue, p, touchPx / view.scale);
    return id === null ? { kind: 'none' } : { kind: 'seat', id };
  }
  const i = venue.grid.nearest(p, Math.max(venue.seatSize, SECTION_TAP_PX / view.scale));
  const partIndex = i >= 0 && areas ? areas.partOf[i] : -1;
  if (partIndex >= 0 && areas) {
    const part = areas.parts[partIndex];
    return { kind: 'zoom', view: viewOfPart(view, venue, part, at, plan, viewport), section: part.name };
  }
  if (i >= 0) {
    // A seat of no named section: zoom until seats can be picked, about the point.
    const scale = ZOOMED_MIN_PITCH_PX / seatPitch(venue);
    return { kind: 'zoom', view: zoomAt(view, Math.max(EMPTY_TAP_ZOOM, scale / view.scale), at, plan, viewport), section: null };
  }
  return { kind: 'zoom', view: zoomAt(view, EMPTY_TAP_ZOOM, at, plan, viewport), section: null };
}

/** The box around the seats at `indices` (plan units). */
function boxOf(venue: Venue, indices: Iterable<number>): Box {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const i of indices) {
    left = Math.min(left, venue.xs[i]);
    right = Math.max(right, venue.xs[i]);
    top = Math.min(top, venue.ys[i]);
    bottom = Math.max(bottom, venue.ys[i]);
  }
  return { left, top, right, bottom };
}

/** The box around all seats (plan units). */
export function seatsBox(venue: Venue): Box | null {
  return venue.ids.length === 0 ? null : boxOf(venue, venue.ids.keys());
}

function visibleCentre(view: View, box: Box, viewport: Size): Point | null {
  const a = toScreen(view, { x: box.left, y: box.top });
  const b = toScreen(view, { x: box.right, y: box.bottom });
  const left = Math.max(0, a.x);
  const top = Math.max(0, a.y);
  const right = Math.min(viewport.width, b.x);
  const bottom = Math.min(viewport.height, b.y);
  if (right < left || bottom < top) return null;
  return { x: (left + right) / 2, y: (top + bottom) / 2 };
}

/**
 * Where the + and − buttons zoom about (screen): the buyer's selection when it is on screen,
 * else the middle of the seats in sight (not the room's middle, the empty floor of an arena).
 */
export function zoomAnchor(view: View, seats: Box | null, selection: Box | null, viewport: Size): Point {
  const centre = { x: viewport.width / 2, y: viewport.height / 2 };
  if (selection) {
    const at = visibleCentre(view, selection, viewport);
    if (at) return at;
  }
  if (seats) return visibleCentre(view, seats, viewport) ?? centre;
  return centre;
}

/**
 * The view that brings `block` (plan units, e.g. seats Find seats held) into sight at a size
 * where its seats can be picked: centred, zoomed in to ZOOMED_MIN_PITCH_PX at least (further
 * only as far as the block still fits, never past the current zoom), or null when it is in
 * sight at such a size already.
 */
export function viewToReveal(view: View, venue: Venue, block: Box, plan: Size, viewport: Size): View | null {
  const readable = ZOOMED_MIN_PITCH_PX / seatPitch(venue);
  const shown = { a: toScreen(view, { x: block.left, y: block.top }), b: toScreen(view, { x: block.right, y: block.bottom }) };
  const inside =
    shown.a.x >= MARGIN && shown.a.y >= MARGIN && shown.b.x <= viewport.width - MARGIN && shown.b.y <= viewport.height - MARGIN;
  if (inside && view.scale >= readable - 1e-9) return null;
  const fits = fitScale({ width: block.right - block.left, height: block.bottom - block.top }, viewport, MARGIN * 2);
  const scale = Math.max(readable, Math.min(view.scale, fits));
  const centre = { x: (block.left + block.right) / 2, y: (block.top + block.bottom) / 2 };
  return clampView({ scale, x: viewport.width / 2 - centre.x * scale, y: viewport.height / 2 - centre.y * scale }, plan, viewport);
}

/** The view a fraction `t` (0..1) of the way from `a` to `b`: zoom eased evenly in log scale, about the screen's centre. */
export function viewBetween(a: View, b: View, t: number, viewport: Size): View {
  const centre = { x: viewport.width / 2, y: viewport.height / 2 };
  const pa = toPlan(a, centre);
  const pb = toPlan(b, centre);
  const scale = Math.exp(Math.log(a.scale) + (Math.log(b.scale) - Math.log(a.scale)) * t);
  const px = pa.x + (pb.x - pa.x) * t;
  const py = pa.y + (pb.y - pa.y) * t;
  if (t >= 1) return b;
  return { scale, x: centre.x - px * scale, y: centre.y - py * scale };
}
