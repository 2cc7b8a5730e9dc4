import type { Point, View } from '../model/planView';

/**
 * Whether this build carries the probe: only the e2e and measurement builds set
 * VITE_SEATMAP_PROBES=1 (`npm run build:probes`), so the production bundle has none of it.
 */
export const PROBES = import.meta.env.VITE_SEATMAP_PROBES === '1';

/**
 * What an end-to-end test (or a performance probe) can ask the canvas, as
 * `document.querySelector('[data-testid="seat-canvas"]').seatMap`.
 */
export interface SeatCanvasProbe {
  view(): View;
  /** Where seat `id` is drawn, in client (viewport) coordinates, for `page.mouse.click`. */
  seatPoint(id: number): Point | null;
  /** The seat drawn at a client point, or null. */
  seatAt(clientX: number, clientY: number): number | null;
  /** Frames drawn so far, and how long each of the last 200 took to draw (ms, script time only). */
  draws: number;
  drawMs: number[];
}

export type CanvasWithProbe = HTMLCanvasElement & { seatMap?: SeatCanvasProbe };

// Kept per canvas element, so frames drawn before the probe is attached are counted too.
const probes = new WeakMap<HTMLCanvasElement, SeatCanvasProbe>();

function probeOf(canvas: HTMLCanvasElement): SeatCanvasProbe {
  let probe = probes.get(canvas);
  if (!probe) {
    probe = { view: () => ({ scale: 1, x: 0, y: 0 }), seatPoint: () => null, seatAt: () => null, draws: 0, drawMs: [] };
    probes.set(canvas, probe);
  }
  return probe;
}

/** What a frame showed, beyond its seats: mirrored in `data-*` attributes for tests to read. */
export interface FrameFacts {
  /** Distance between neighbouring seats on screen (CSS px): `data-seat-px`. */
  seatPx: number;
  /** The buyer's own seats drawn: `data-own-drawn`. */
  own: number;
  /** Seats highlighted (found by Find seats): `data-highlighted`. */
  highlighted: number;
  /** The words drawn, joined by "|": `data-labels`. */
  labels: readonly string[];
  /** Seats too small to pick, so a tap zooms: `data-overview`. */
  overview: boolean;
  /** The console's selected seats drawn: `data-selected`. */
  selected: number;
}

/**
 * A frame drawn: counted and timed, and mirrored in `data-draws`, `data-draw-ms`,
 * `data-seats-drawn`, `data-scale` (and the `FrameFacts` when given).
 */
export function recordFrame(canvas: HTMLCanvasElement, ms: number, seatsDrawn: number, scale: number, facts?: FrameFacts): void {
  const probe = probeOf(canvas);
  probe.draws += 1;
  probe.drawMs.push(ms);
  if (probe.drawMs.length > 200) probe.drawMs.shift();
  canvas.dataset.draws = String(probe.draws);
  canvas.dataset.drawMs = ms.toFixed(2);
  canvas.dataset.seatsDrawn = String(seatsDrawn);
  canvas.dataset.scale = scale.toFixed(4);
  if (facts) {
    canvas.dataset.seatPx = facts.seatPx.toFixed(2);
    canvas.dataset.ownDrawn = String(facts.own);
    canvas.dataset.highlighted = String(facts.highlighted);
    canvas.dataset.labels = facts.labels.join('|');
    canvas.dataset.overview = String(facts.overview);
    canvas.dataset.selected = String(facts.selected);
  }
}

/** Puts the probe on the element as `seatMap`; the returned function takes it off. */
export function attachProbe(canvas: CanvasWithProbe, reads: Pick<SeatCanvasProbe, 'view' | 'seatPoint' | 'seatAt'>): () => void {
  const probe = Object.assign(probeOf(canvas), reads);
  canvas.seatMap = probe;
  return () => {
    delete canvas.seatMap;
  };
}
