/**
 * The room: where each seat stands (`GET /api/events/{id}/layout/`), the stage and section
 * shapes, and a spatial index to find the seat under a click.
 */
import type { Point } from './planView';

export interface ApiLayoutSeat {
  id: number;
  x: number;
  y: number;
  rotation?: number;
}

export type ApiShape =
  | { kind: 'rect'; x: number; y: number; width: number; height: number; label?: string; role?: 'stage' | 'section' | 'other' }
  | { kind: 'text'; x: number; y: number; text: string; size?: number };

export interface ApiLayout {
  event_id: number;
  width: number;
  height: number;
  seats: ApiLayoutSeat[];
  shapes: ApiShape[];
}

export interface Venue {
  width: number;
  height: number;
  /** Seat ids in the order the layout listed them; `xs[i]`, `ys[i]`, `rotations[i]` belong to `ids[i]`. */
  ids: number[];
  xs: Float64Array;
  ys: Float64Array;
  rotations: Float64Array;
  index: Map<number, number>;
  shapes: ApiShape[];
  /** A seat's diameter in plan units: SEAT_FILL (80 %) of the typical distance to its nearest neighbour. */
  seatSize: number;
  grid: SpatialGrid;
}

/**
 * Which map an event gets: the room when it has a layout and its seats carry categories,
 * else today's grid (events made before venue layouts existed).
 */
export function chooseMapKind(layout: ApiLayout | null | undefined, seats: readonly { category?: number | null }[]): 'venue' | 'grid' {
  // Anything but a layout with seats (404, an HTML page from a proxy, an empty plan): the grid.
  if (!layout || typeof layout !== 'object' || !Array.isArray(layout.seats) || layout.seats.length === 0) return 'grid';
  return seats.some((s) => s.category !== undefined && s.category !== null) ? 'venue' : 'grid';
}

/** Seats of the layout that are in the seat list, in the layout's order. */
export function buildVenue(layout: ApiLayout, known?: (id: number) => boolean): Venue {
  const seats = known ? layout.seats.filter((s) => known(s.id)) : layout.seats;
  const n = seats.length;
  const ids = new Array<number>(n);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const rotations = new Float64Array(n);
  const index = new Map<number, number>();
  seats.forEach((s, i) => {
    ids[i] = s.id;
    xs[i] = s.x;
    ys[i] = s.y;
    rotations[i] = s.rotation ?? 0;
    index.set(s.id, i);
  });
  let maxX = 1;
  let maxY = 1;
  for (let i = 0; i < n; i += 1) {
    maxX = Math.max(maxX, xs[i] + 1);
    maxY = Math.max(maxY, ys[i] + 1);
  }
  const width = layout.width > 0 ? layout.width : maxX;
  const height = layout.height > 0 ? layout.height : maxY;
  const cell = Math.max(1e-6, Math.sqrt((width * height) / Math.max(1, n)) * 2);
  const grid = new SpatialGrid(cell, xs, ys);
  const seatSize = estimateSeatSize(grid, xs, ys, width, height);
  return { width, height, ids, xs, ys, rotations, index, shapes: layout.shapes ?? [], seatSize, grid };
}

/** Buckets of seat indices by square cell, for nearest-seat lookups in O(seats nearby). */
export class SpatialGrid {
  // Numeric keys: a string per seat ("12,7") cost ~20 ms of the arena's 20,000 on arrival.
  private cells = new Map<number, number[]>();

  constructor(
    readonly cell: number,
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {
    for (let i = 0; i < xs.length; i += 1) {
      const key = this.key(Math.floor(xs[i] / cell), Math.floor(ys[i] / cell));
      const bucket = this.cells.get(key);
      if (bucket) bucket.push(i);
      else this.cells.set(key, [i]);
    }
  }

  /** One number per cell: plans are far smaller than 2^20 cells a side, and may go negative. */
  private key(cx: number, cy: number): number {
    return (cx + 0x80000) * 0x100000 + (cy + 0x80000);
  }

  /** Each seat inside the box (plan units; edges included) given to `visit` until it says stop (true); whether it did. */
  private visitIn(left: number, top: number, right: number, bottom: number, visit: (i: number) => boolean | void): boolean {
    const c = this.cell;
    for (let cx = Math.floor(left / c); cx <= Math.floor(right / c); cx += 1) {
      for (let cy = Math.floor(top / c); cy <= Math.floor(bottom / c); cy += 1) {
        for (const i of this.cells.get(this.key(cx, cy)) ?? []) {
          if (this.xs[i] >= left && this.xs[i] <= right && this.ys[i] >= top && this.ys[i] <= bottom && visit(i)) return true;
        }
      }
    }
    return false;
  }

  /** Whether any seat stands inside the box. */
  anyIn(left: number, top: number, right: number, bottom: number): boolean {
    return this.visitIn(left, top, right, bottom, () => true);
  }

  /** The indices of the seats inside the box, in index order. */
  allIn(left: number, top: number, right: number, bottom: number): number[] {
    const found: number[] = [];
    this.visitIn(left, top, right, bottom, (i) => void found.push(i));
    return found.sort((a, b) => a - b);
  }

  /** The index of the seat nearest to `p` within `radius`, or -1 (ties: the earlier seat). */
  nearest(p: Point, radius: number, skip = -1): number {
    const c = this.cell;
    const x0 = Math.floor((p.x - radius) / c);
    const x1 = Math.floor((p.x + radius) / c);
    const y0 = Math.floor((p.y - radius) / c);
    const y1 = Math.floor((p.y + radius) / c);
    let best = -1;
    let bestD = radius * radius;
    for (let cx = x0; cx <= x1; cx += 1) {
      for (let cy = y0; cy <= y1; cy += 1) {
        const bucket = this.cells.get(this.key(cx, cy));
        if (!bucket) continue;
        for (const i of bucket) {
          if (i === skip) continue;
          const dx = this.xs[i] - p.x;
          const dy = this.ys[i] - p.y;
          const d = dx * dx + dy * dy;
          if (d < bestD || (d === bestD && (best === -1 || i < best))) {
            best = i;
            bestD = d;
          }
        }
      }
    }
    return best;
  }
}

/** A seat is drawn this share of the distance to its nearest neighbour. */
export const SEAT_FILL = 0.8;

function estimateSeatSize(grid: SpatialGrid, xs: Float64Array, ys: Float64Array, width: number, height: number): number {
  const n = xs.length;
  const fallback = Math.max(width, height) / 50;
  if (n < 2) return fallback;
  const step = Math.max(1, Math.floor(n / 400));
  const distances: number[] = [];
  for (let i = 0; i < n; i += step) {
    const j = grid.nearest({ x: xs[i], y: ys[i] }, grid.cell * 1.5, i);
    if (j >= 0) distances.push(Math.hypot(xs[j] - xs[i], ys[j] - ys[i]));
  }
  if (distances.length === 0) return fallback;
  distances.sort((a, b) => a - b);
  const typical = distances[Math.floor(distances.length / 2)];
  return typical > 0 ? typical * SEAT_FILL : fallback;
}

/**
 * The seat a click or tap at plan point `p` means: the nearest seat centre within half a seat,
 * or within `minRadius` plan units when seats are drawn tiny (a finger is ~ 20 px wide).
 */
export function hitTest(venue: Venue, p: Point, minRadius = 0): number | null {
  const radius = Math.max(venue.seatSize * 0.6, minRadius);
  const i = venue.grid.nearest(p, radius);
  return i >= 0 ? venue.ids[i] : null;
}

/** The seats standing inside a box drawn between two plan points (either corner first). */
export function seatsInBox(venue: Venue, a: Point, b: Point): number[] {
  const found = venue.grid.allIn(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y));
  return found.map((i) => venue.ids[i]);
}
