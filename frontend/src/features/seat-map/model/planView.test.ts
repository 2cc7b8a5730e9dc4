import { describe, expect, it } from 'vitest';
import { MARGIN, MAX_ZOOM, clampView, fitView, keyView, panBy, pinchView, toPlan, toScreen, wheelFactor, zoomAt } from './planView';

const plan = { width: 1000, height: 500 };
const phone = { width: 360, height: 640 };
const desk = { width: 1200, height: 700 };

describe('plan → screen', () => {
  it('fits the whole plan, centred, with a margin (phone, portrait)', () => {
    const v = fitView(plan, phone);
    expect(v.scale).toBeCloseTo((360 - 2 * MARGIN) / 1000);
    expect(toScreen(v, { x: 0, y: 0 }).x).toBeCloseTo(MARGIN);
    expect(toScreen(v, { x: 1000, y: 0 }).x).toBeCloseTo(360 - MARGIN);
    const top = toScreen(v, { x: 0, y: 0 }).y;
    const bottom = toScreen(v, { x: 0, y: 500 }).y;
    expect(top + bottom).toBeCloseTo(640); // vertically centred
  });

  it('fits by height when the viewport is wide', () => {
    const v = fitView(plan, { width: 2000, height: 300 });
    expect(v.scale).toBeCloseTo((300 - 2 * MARGIN) / 500);
    expect(toScreen(v, { x: 500, y: 250 })).toEqual({ x: 1000, y: 150 });
  });

  it('round-trips screen and plan points', () => {
    const v = { scale: 2.5, x: -40, y: 13 };
    const p = { x: 123.4, y: 56.7 };
    const back = toPlan(v, toScreen(v, p));
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
  });

  it('zooms around a point: the plan point under the cursor stays under it', () => {
    const v0 = fitView(plan, desk);
    const cursor = { x: 300, y: 400 };
    const under = toPlan(v0, cursor);
    const v1 = zoomAt(v0, 3, cursor, plan, desk);
    expect(v1.scale).toBeCloseTo(v0.scale * 3);
    const still = toScreen(v1, under);
    expect(still.x).toBeCloseTo(cursor.x);
    expect(still.y).toBeCloseTo(cursor.y);
  });

  it('does not zoom out past fit, nor in past MAX_ZOOM × fit', () => {
    const fit = fitView(plan, desk);
    expect(zoomAt(fit, 0.1, { x: 10, y: 10 }, plan, desk)).toEqual(fit);
    const deep = zoomAt(fit, 1e6, { x: 600, y: 350 }, plan, desk);
    expect(deep.scale).toBeCloseTo(fit.scale * MAX_ZOOM);
  });

  it('clamps panning: the plan never leaves the viewport', () => {
    const zoomed = zoomAt(fitView(plan, desk), 4, { x: 600, y: 350 }, plan, desk);
    const far = panBy(zoomed, 1e6, 1e6, plan, desk);
    expect(far.x).toBe(MARGIN); // left edge of the plan at the left edge (+ margin)
    expect(far.y).toBe(MARGIN);
    const other = panBy(zoomed, -1e6, -1e6, plan, desk);
    expect(toScreen(other, { x: 1000, y: 500 }).x).toBeCloseTo(desk.width - MARGIN);
    expect(toScreen(other, { x: 1000, y: 500 }).y).toBeCloseTo(desk.height - MARGIN);
  });

  it('keeps a plan smaller than the viewport centred whatever the drag', () => {
    const fit = fitView(plan, desk);
    expect(panBy(fit, 200, -90, plan, desk)).toEqual(clampView(fit, plan, desk));
  });

  it('maps keys: + and − zoom around the centre, arrows pan, 0 fits', () => {
    const fit = fitView(plan, desk);
    const inn = keyView('+', fit, plan, desk)!;
    expect(inn.scale).toBeCloseTo(fit.scale * 1.25);
    const right = keyView('ArrowRight', inn, plan, desk)!;
    expect(right.x).toBeLessThan(inn.x); // the view moves right: the plan moves left
    expect(keyView('0', right, plan, desk)).toEqual(fit);
    expect(keyView('-', fit, plan, desk)!.scale).toBeCloseTo(fit.scale);
    expect(keyView('a', fit, plan, desk)).toBeNull();
  });

  it('wheel up zooms in, down zooms out, with bounded steps', () => {
    expect(wheelFactor(-100)).toBeGreaterThan(1);
    expect(wheelFactor(100)).toBeLessThan(1);
    expect(wheelFactor(1e9)).toBeCloseTo(wheelFactor(300));
  });

  it('pinches: fingers twice as far apart double the scale around their midpoint', () => {
    const fit = fitView(plan, desk);
    const v = pinchView(fit, { x: 500, y: 350 }, { x: 700, y: 350 }, { x: 400, y: 350 }, { x: 800, y: 350 }, plan, desk);
    expect(v.scale).toBeCloseTo(fit.scale * 2);
    const mid = toPlan(fit, { x: 600, y: 350 });
    expect(toScreen(v, mid).x).toBeCloseTo(600);
  });
});
