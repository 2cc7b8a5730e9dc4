import { describe, expect, it } from 'vitest';
import { MIN_TEXT_PX, centredBox, fitTextPx, placeLabels } from './labels';

describe('placing labels', () => {
  const viewport = { width: 200, height: 100 };
  it('keeps the first of two that overlap, and both of two that do not', () => {
    const a = { text: 'A', box: centredBox(50, 50, 20, 10) };
    const b = { text: 'B', box: centredBox(60, 52, 20, 10) };
    const c = { text: 'C', box: centredBox(100, 50, 20, 10) };
    expect(placeLabels([a, b, c], viewport).map((l) => l.text)).toEqual(['A', 'C']);
    expect(placeLabels([b, a, c], viewport).map((l) => l.text)).toEqual(['B', 'C']);
  });
  it('leaves out labels that would cross the edge or a box already taken', () => {
    const edge = { text: 'edge', box: centredBox(195, 50, 20, 10) };
    const under = { text: 'under', box: centredBox(50, 50, 20, 10) };
    expect(placeLabels([edge, under], viewport, [{ left: 40, top: 40, right: 45, bottom: 60 }])).toEqual([]);
  });
});

describe('fitting text', () => {
  it('keeps the size when it fits, scales uniformly when it does not, and gives up below the smallest size', () => {
    expect(fitTextPx(50, 20, 100)).toBe(20);
    expect(fitTextPx(100, 20, 60)).toBe(12);
    expect(fitTextPx(100, 20, (MIN_TEXT_PX * 100) / 20 - 1)).toBeNull();
  });
});
