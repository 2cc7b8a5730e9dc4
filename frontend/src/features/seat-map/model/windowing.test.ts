import { describe, expect, it } from 'vitest';
import { leadingRows, rowSeatsHeight, rowsToRender, seatsPerLine, updateNear } from './windowing';

describe('windowing a long list of rows', () => {
  it('fits seats to the width, at least one a line', () => {
    expect(seatsPerLine(300)).toBe(8); // 8 × 32 + 7 × 3 = 277; 9 would take 312
    expect(seatsPerLine(312)).toBe(9);
    expect(seatsPerLine(10)).toBe(1);
    expect(seatsPerLine(1000)).toBe(28);
  });

  it('gives a wrapped row the height of its lines and the gaps between them', () => {
    expect(rowSeatsHeight(25, 8)).toBe(4 * 26 + 3 * 6);
    expect(rowSeatsHeight(8, 8)).toBe(26);
    expect(rowSeatsHeight(9, 8)).toBe(2 * 26 + 6);
    expect(rowSeatsHeight(0, 8)).toBe(0);
  });

  it('starts with the top rows up to a number of seats, and always one', () => {
    const rows = [20, 20, 20, 20].map((n, r) => ({ seatIds: Array.from({ length: n }, (_, i) => r * 100 + i) }));
    expect([...leadingRows(rows, 45)]).toEqual([0, 1]);
    expect([...leadingRows(rows, 5)]).toEqual([0]);
    expect([...leadingRows(rows, 1000)]).toEqual([0, 1, 2, 3]);
    expect([...leadingRows([], 10)]).toEqual([]);
  });

  it('renders the rows near the screen and those of the focus stop and the held seats', () => {
    const position = new Map<number, [number, number]>([
      [1, [0, 0]],
      [2, [7, 3]],
      [3, [40, 1]],
    ]);
    expect([...rowsToRender(new Set([0, 1]), position, [2, null, 3, 99])].sort((a, b) => a - b)).toEqual([0, 1, 7, 40]);
  });

  it('follows rows into and out of the band, keeping the same set when nothing changed', () => {
    const near = new Set([1, 2]);
    expect(updateNear(near, [{ row: 1, inside: true }, { row: 5, inside: false }])).toBe(near);
    expect([...updateNear(near, [{ row: 1, inside: false }, { row: 3, inside: true }])]).toEqual([2, 3]);
  });
});
