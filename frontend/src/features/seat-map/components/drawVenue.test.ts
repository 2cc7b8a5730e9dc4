import { describe, expect, it, vi } from 'vitest';
import { buildLegend, indexCategories } from '../model/categories';
import { buildLayout } from '../model/layout';
import { sectionAreas, seatsPickable } from '../model/overview';
import { fitView, zoomAt } from '../model/planView';
import type { ApiSeat } from '../model/seat';
import { SeatStore } from '../model/seatStore';
import { SeatOverlay } from '../model/seatOverlay';
import { buildVenue, type ApiLayout } from '../model/venue';
import { drawFrame } from './drawVenue';

/** 20,000 seats: 100 rows of 200, four categories, every state present. */
function bigRoom() {
  const seats: ApiSeat[] = [];
  const layout: ApiLayout = { event_id: 1, width: 2100, height: 1200, seats: [], shapes: [] };
  layout.shapes.push({ kind: 'rect', x: 50, y: 10, width: 2000, height: 60, label: 'Stage', role: 'stage' });
  for (let r = 0; r < 100; r += 1) {
    for (let n = 0; n < 200; n += 1) {
      const id = r * 200 + n + 1;
      const state = id % 10;
      seats.push({
        id,
        label: `R${r}-${n + 1}`,
        section: r < 50 ? 'Stalls' : 'Circle',
        row: String(r),
        number: n + 1,
        price: '10.00',
        status: state === 1 ? 'locked' : state === 2 ? 'reserved' : 'available',
        version: 1,
        locked_until: state === 1 ? '2099-01-01T00:00:00Z' : null,
        mine: id % 20 === 1,
        category: (r % 4) + 1,
        accessible: n === 0,
      });
      layout.seats.push({ id, x: 50 + n * 10, y: 100 + r * 10, rotation: 0 });
    }
  }
  const store = new SeatStore();
  store.loadFromApi(seats);
  const categories = indexCategories(
    buildLegend([1, 2, 3, 4].map((id) => ({ id, name: `C${id}`, price: '10.00', colour: ['#7b2cbf', '#0072b2', '#d55e00', '#009e73'][id - 1] }))),
  );
  return { store, venue: buildVenue(layout), categories };
}

function countingContext() {
  const counts = new Map<string, number>();
  const texts: string[] = [];
  const ctx = new Proxy(
    {},
    {
      get: (_t, prop) => {
        if (prop === 'measureText') return (text: string) => ({ width: text.length * 7 });
        if (prop === 'fillText') return (text: string) => void texts.push(text);
        return typeof prop === 'string' ? () => void counts.set(prop, (counts.get(prop) ?? 0) + 1) : undefined;
      },
      set: () => true,
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, counts, texts };
}

describe('drawing 20,000 seats', () => {
  const { store, venue, categories } = bigRoom();
  const size = { width: 1280, height: 800 };

  it('fills once per paint group, not once per seat', () => {
    const { ctx, counts } = countingContext();
    const { drawn } = drawFrame({ ctx, dpr: 2, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [] });
    expect(drawn).toBe(20_000);
    // 4 categories × (available, held-mine, held-other) × (circle, square) + booked kinds: a few dozen at most.
    expect(counts.get('fill')!).toBeLessThan(60);
    expect(counts.get('arc')!).toBeGreaterThanOrEqual(19_000);
  });

  it('skips seats off screen when zoomed in', () => {
    const { ctx } = countingContext();
    const view = zoomAt(fitView(venue, size), 10, { x: 640, y: 400 }, venue, size);
    const { drawn } = drawFrame({ ctx, dpr: 1, size, view, venue, seat: store.getSeat, categories, rings: [] });
    expect(drawn).toBeLessThan(2_000);
  });
});

describe('what a frame says', () => {
  const { store, venue, categories } = bigRoom();
  const size = { width: 1280, height: 800 };
  const areas = sectionAreas(venue, buildLayout([...store.seats()]).sections);
  const mine = [...store.seats()].filter((s) => s.mine && s.status !== 'available').length;

  it('names the sections on the overview, and the stage, once each', () => {
    const { ctx, texts } = countingContext();
    const view = fitView(venue, size);
    expect(seatsPickable(venue, view)).toBe(false);
    const { labels } = drawFrame({ ctx, dpr: 1, size, view, venue, seat: store.getSeat, categories, rings: [], areas });
    expect(labels).toEqual(['STAGE', 'Stalls', 'Circle']);
    expect(texts).toEqual(['STAGE', 'Stalls', 'Circle']);
  });

  it('leaves the section names out once seats can be picked', () => {
    const { ctx } = countingContext();
    const view = zoomAt(fitView(venue, size), 4, { x: 640, y: 400 }, venue, size);
    expect(seatsPickable(venue, view)).toBe(true);
    const { labels } = drawFrame({ ctx, dpr: 1, size, view, venue, seat: store.getSeat, categories, rings: [], areas });
    expect(labels).not.toContain('Stalls');
  });

  it("draws the buyer's own seats on top of the others, at every zoom", () => {
    expect(mine).toBeGreaterThan(0);
    const { ctx } = countingContext();
    const { own } = drawFrame({ ctx, dpr: 1, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [], areas });
    expect(own).toBe(mine);
  });
});

describe("the console's overlay", () => {
  const { store, venue, categories } = bigRoom();
  const size = { width: 1280, height: 800 };
  const booked = [...store.seats()].filter((s) => s.status === 'reserved' && !s.mine).map((s) => s.id);

  it('draws an empty overlay exactly as no overlay: the buyer pays nothing for it', () => {
    const plain = countingContext();
    drawFrame({ ctx: plain.ctx, dpr: 1, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [] });
    const empty = countingContext();
    const overlay = new SeatOverlay();
    const asked = vi.spyOn(overlay, 'mark');
    const stats = drawFrame({ ctx: empty.ctx, dpr: 1, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [], overlay });
    expect(Object.fromEntries(empty.counts)).toEqual(Object.fromEntries(plain.counts));
    expect(asked).not.toHaveBeenCalled(); // no per-seat look-up
    expect(stats.selected).toBe(0);
  });

  it('draws seats kept back and killed apart from booked ones, and rings the selection', () => {
    const overlay = new SeatOverlay();
    overlay.setOffSale(new Map<number, 'kept' | 'killed'>([[booked[0], 'kept'], [booked[1], 'killed']]));
    overlay.setSelected([1, 2, 3]);
    const plain = countingContext();
    drawFrame({ ctx: plain.ctx, dpr: 1, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [] });
    const marked = countingContext();
    const stats = drawFrame({ ctx: marked.ctx, dpr: 1, size, view: fitView(venue, size), venue, seat: store.getSeat, categories, rings: [], overlay });
    // Two more paint groups (kept, killed), each a fill of its own.
    expect(marked.counts.get('fill')!).toBe(plain.counts.get('fill')! + 2);
    expect(stats.selected).toBe(3);
  });
});
