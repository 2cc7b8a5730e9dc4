import { describe, expect, it } from 'vitest';
import { fitView, toPlan, zoomAt } from './planView';
import { buildVenue, chooseMapKind, hitTest, type ApiLayout } from './venue';

/** Rows of seats 10 units apart, ids 1.. row by row. */
function layout(rows: number, perRow: number): ApiLayout {
  const seats = [];
  for (let r = 0; r < rows; r += 1) {
    for (let n = 0; n < perRow; n += 1) seats.push({ id: r * perRow + n + 1, x: 20 + n * 10, y: 50 + r * 10, rotation: 0 });
  }
  return {
    event_id: 1,
    width: 40 + perRow * 10,
    height: 70 + rows * 10,
    seats,
    shapes: [{ kind: 'rect', x: 10, y: 5, width: 100, height: 20, label: 'Stage', role: 'stage' }],
  };
}

describe('choosing the map', () => {
  const l = layout(2, 2);
  it('draws the room when there is a layout and the seats have categories', () => {
    expect(chooseMapKind(l, [{ category: 1 }, { category: null }])).toBe('venue');
  });
  it('falls back to the grid on 404 (no layout) or seats without category', () => {
    expect(chooseMapKind(null, [{ category: 1 }])).toBe('grid');
    expect(chooseMapKind(undefined, [{ category: 1 }])).toBe('grid');
    expect(chooseMapKind(l, [{}, { category: null }])).toBe('grid');
    expect(chooseMapKind({ ...l, seats: [] }, [{ category: 1 }])).toBe('grid');
    // not a layout at all (an HTML page answered 200, a half-built object)
    expect(chooseMapKind('<!doctype html>' as unknown as ApiLayout, [{ category: 1 }])).toBe('grid');
    expect(chooseMapKind({ event_id: 1 } as unknown as ApiLayout, [{ category: 1 }])).toBe('grid');
  });
});

describe('hit-testing a click', () => {
  const venue = buildVenue(layout(20, 30));

  it('estimates the seat size from the spacing', () => {
    expect(venue.seatSize).toBeCloseTo(8);
  });

  it('finds the seat whose centre is nearest, within half a seat', () => {
    expect(hitTest(venue, { x: 20, y: 50 })).toBe(1);
    expect(hitTest(venue, { x: 33, y: 52 })).toBe(2); // near (30, 50)
    expect(hitTest(venue, { x: 20, y: 61 })).toBe(31); // row 2, first seat
  });

  it('finds nothing in the aisle or on the stage', () => {
    expect(hitTest(venue, { x: 25, y: 55 })).toBeNull(); // between four seats: 7.07 > 4.8
    expect(hitTest(venue, { x: 50, y: 10 })).toBeNull();
  });

  it('accepts a wider radius when seats are drawn tiny (a finger)', () => {
    expect(hitTest(venue, { x: 25, y: 55 }, 8)).toBe(1); // ties go to the first seat
  });

  it('maps a screen click through the view to the seat drawn there', () => {
    const plan = { width: venue.width, height: venue.height };
    const screen = { width: 800, height: 600 };
    const view = zoomAt(fitView(plan, screen), 3, { x: 400, y: 300 }, plan, screen);
    const seat = 245; // row 9, seat 5 → (60, 130)
    const click = { x: 60 * view.scale + view.x + 1, y: 130 * view.scale + view.y - 1 };
    expect(hitTest(venue, toPlan(view, click))).toBe(seat);
  });

  it('keeps only seats that are in the seat list', () => {
    const v = buildVenue(layout(1, 3), (id) => id !== 2);
    expect(v.ids).toEqual([1, 3]);
    expect(hitTest(v, { x: 30, y: 50 })).toBeNull();
  });

  it('indexes 20,000 seats and finds the one under each point (speed: scripts/measure-room.mjs)', () => {
    const big = buildVenue(layout(100, 200));
    expect(big.ids).toHaveLength(20_000);
    for (let i = 0; i < 2_000; i += 7) {
      const [x, y] = [big.xs[i * 10], big.ys[i * 10]];
      expect(hitTest(big, { x: x + 0.5, y: y - 0.5 })).toBe(big.ids[i * 10]);
    }
  });
});
