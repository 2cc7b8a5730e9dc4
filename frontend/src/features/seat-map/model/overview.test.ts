import { describe, expect, it } from 'vitest';
import { fitView, toScreen, zoomAt } from './planView';
import {
  PICK_PITCH_PX,
  ZOOMED_MAX_PITCH_PX,
  ZOOMED_MIN_PITCH_PX,
  pitchOnScreen,
  sectionAreas,
  seatsBox,
  tapAt,
  viewToReveal,
  zoomAnchor,
} from './overview';
import { buildVenue, type ApiLayout } from './venue';

/**
 * A room of 2000 × 1000 with seats 10 apart: section "North" (ids 1..400: 20 rows of 20 at the
 * top left), section "South" (401..800, bottom right), and "Boxes" in two parts far apart (901..904, 905..908).
 */
function room() {
  const seats: ApiLayout['seats'] = [];
  const sections: { name: string; rows: { seatIds: number[] }[] }[] = [
    { name: 'North', rows: [] },
    { name: 'South', rows: [] },
    { name: 'Boxes', rows: [{ seatIds: [] }, { seatIds: [] }] },
  ];
  for (let r = 0; r < 20; r += 1) {
    const north: number[] = [];
    const south: number[] = [];
    for (let n = 0; n < 20; n += 1) {
      const a = r * 20 + n + 1;
      seats.push({ id: a, x: 100 + n * 10, y: 100 + r * 10 });
      north.push(a);
      seats.push({ id: 400 + a, x: 1600 + n * 10, y: 700 + r * 10 });
      south.push(400 + a);
    }
    sections[0].rows.push({ seatIds: north });
    sections[1].rows.push({ seatIds: south });
  }
  for (let k = 0; k < 4; k += 1) {
    seats.push({ id: 901 + k, x: 1000 + (k % 2) * 10, y: 100 + Math.floor(k / 2) * 10 });
    sections[2].rows[0].seatIds.push(901 + k);
    seats.push({ id: 905 + k, x: 1000 + (k % 2) * 10, y: 900 + Math.floor(k / 2) * 10 });
    sections[2].rows[1].seatIds.push(905 + k);
  }
  const venue = buildVenue({ event_id: 1, width: 2000, height: 1000, seats, shapes: [] });
  return { venue, sections, areas: sectionAreas(venue, sections) };
}

const viewport = { width: 800, height: 400 };

describe('sections on the overview', () => {
  const { venue, areas } = room();
  it('splits a section whose seats stand apart into parts, each with its own box', () => {
    expect(areas.parts.map((p) => [p.name, p.count])).toEqual([
      ['North', 400],
      ['South', 400],
      ['Boxes', 4],
      ['Boxes', 4],
    ]);
    expect(areas.parts[0]).toMatchObject({ left: 100, top: 100, right: 290, bottom: 290, x: 195, y: 195 });
    expect(areas.partOf[venue.index.get(905)!]).toBe(3);
  });
});

describe('a tap', () => {
  const { venue, areas } = room();
  const plan = { width: venue.width, height: venue.height };
  const fitted = fitView(plan, viewport);
  const at = (view: typeof fitted, id: number) => toScreen(view, { x: venue.xs[venue.index.get(id)!], y: venue.ys[venue.index.get(id)!] });

  it('on the overview zooms into the section under it and holds nothing', () => {
    expect(pitchOnScreen(venue, fitted)).toBeLessThan(PICK_PITCH_PX);
    const result = tapAt(fitted, venue, areas, at(fitted, 210), plan, viewport, 12);
    expect(result.kind).toBe('zoom');
    if (result.kind !== 'zoom') return;
    expect(result.section).toBe('North');
    const px = pitchOnScreen(venue, result.view);
    expect(px).toBeGreaterThanOrEqual(ZOOMED_MIN_PITCH_PX);
    expect(px).toBeLessThanOrEqual(ZOOMED_MAX_PITCH_PX);
    // The whole section is in sight: its corners land inside the viewport.
    for (const id of [1, 20, 381, 400]) {
      const p = at(result.view, id);
      expect(p.x).toBeGreaterThan(0);
      expect(p.x).toBeLessThan(viewport.width);
      expect(p.y).toBeGreaterThan(0);
      expect(p.y).toBeLessThan(viewport.height);
    }
  });

  it('on a box of four seats zooms no further than ZOOMED_MAX_PITCH_PX', () => {
    const result = tapAt(fitted, venue, areas, at(fitted, 902), plan, viewport, 12);
    expect(result.kind === 'zoom' && result.section).toBe('Boxes');
    if (result.kind === 'zoom') expect(pitchOnScreen(venue, result.view)).toBeCloseTo(ZOOMED_MAX_PITCH_PX);
  });

  it('on empty floor zooms about the point tapped', () => {
    const point = { x: 400, y: 200 };
    const result = tapAt(fitted, venue, areas, point, plan, viewport, 12);
    expect(result).toMatchObject({ kind: 'zoom', section: null });
    if (result.kind === 'zoom') expect(result.view.scale).toBeCloseTo(fitted.scale * 2);
  });

  it('holds the seat under it once seats can be picked', () => {
    const close = zoomAt(fitted, PICK_PITCH_PX / pitchOnScreen(venue, fitted), at(fitted, 210), plan, viewport);
    expect(pitchOnScreen(venue, close)).toBeGreaterThanOrEqual(PICK_PITCH_PX - 1e-9);
    expect(tapAt(close, venue, areas, at(close, 210), plan, viewport, 12)).toEqual({ kind: 'seat', id: 210 });
    expect(tapAt(close, venue, areas, toScreen(close, { x: 600, y: 500 }), plan, viewport, 12)).toEqual({ kind: 'none' });
  });
});

describe('the zoom buttons', () => {
  const { venue } = room();
  const plan = { width: venue.width, height: venue.height };
  const fitted = fitView(plan, viewport);
  it('zoom about the selection when it is in sight', () => {
    const selection = { left: 1600, top: 700, right: 1610, bottom: 700 };
    const anchor = zoomAnchor(fitted, seatsBox(venue), selection, viewport);
    expect(anchor).toEqual(toScreen(fitted, { x: 1605, y: 700 }));
  });
  it("else about the middle of the seats in sight, not the room's", () => {
    const anchor = zoomAnchor(fitted, seatsBox(venue), null, viewport);
    // seats from (100, 100) to (1790, 910): middle (945, 505), the room's is (1000, 500)
    expect(anchor.x).toBeCloseTo(toScreen(fitted, { x: 945, y: 505 }).x);
    expect(anchor.y).toBeCloseTo(toScreen(fitted, { x: 945, y: 505 }).y);
  });
});

describe('seats found by Find seats', () => {
  const { venue } = room();
  const plan = { width: venue.width, height: venue.height };
  const fitted = fitView(plan, viewport);
  const block = { left: 1700, top: 800, right: 1720, bottom: 800 };
  it('are flown to at a size where they can be picked, centred', () => {
    const next = viewToReveal(fitted, venue, block, plan, viewport)!;
    expect(pitchOnScreen(venue, next)).toBeCloseTo(ZOOMED_MIN_PITCH_PX);
    const centre = toScreen(next, { x: 1710, y: 800 });
    expect(centre.x).toBeCloseTo(400);
    expect(centre.y).toBeCloseTo(200);
  });
  it('leave the view alone when they are in sight at such a size already', () => {
    const next = viewToReveal(fitted, venue, block, plan, viewport)!;
    expect(viewToReveal(next, venue, block, plan, viewport)).toBeNull();
  });
});
