import { describe, expect, it } from 'vitest';
import { buildLayout, neighbour } from './layout';

const seats = [
  { id: 1, label: 'A1', section: 'Floor', row: 'A', number: 1, price: '50.00' },
  { id: 2, label: 'A2', section: 'Floor', row: 'A', number: 2, price: '50.00' },
  { id: 3, label: 'A3', section: 'Floor', row: 'A', number: 3, price: '50.00' },
  { id: 4, label: 'B1', section: 'Floor', row: 'B', number: 1, price: '50.00' },
  { id: 5, label: 'C1', section: 'Balcony', row: 'C', number: 1, price: '120.00' },
  { id: 6, label: 'C2', section: 'Balcony', row: 'C', number: 2, price: '120.00' },
];

describe('layout', () => {
  it('groups by section then row, in API order', () => {
    const layout = buildLayout(seats);
    expect(layout.sections.map((s) => s.name)).toEqual(['Floor', 'Balcony']);
    expect(layout.sections[0].rows.map((r) => [r.row, r.seatIds])).toEqual([
      ['A', [1, 2, 3]],
      ['B', [4]],
    ]);
    expect(layout.rows).toHaveLength(3);
  });

  it('moves keyboard focus within and across rows', () => {
    const layout = buildLayout(seats);
    expect(neighbour(layout, 1, 'ArrowRight')).toBe(2);
    expect(neighbour(layout, 3, 'ArrowRight')).toBe(3);
    expect(neighbour(layout, 1, 'ArrowLeft')).toBe(1);
    expect(neighbour(layout, 3, 'ArrowDown')).toBe(4);
    expect(neighbour(layout, 4, 'ArrowDown')).toBe(5);
    expect(neighbour(layout, 5, 'ArrowUp')).toBe(4);
    expect(neighbour(layout, 1, 'ArrowUp')).toBe(1);
    expect(neighbour(layout, 2, 'End')).toBe(3);
    expect(neighbour(layout, 3, 'Home')).toBe(1);
  });

  it('moves a page of rows with PageUp and PageDown, and to the first and last seat of all with Ctrl+Home and Ctrl+End', () => {
    const many = Array.from({ length: 25 }, (_, r) =>
      [1, 2, 3].map((n) => ({ id: r * 10 + n, label: `R${r}-${n}`, section: r < 12 ? 'Floor' : 'Balcony', row: String(r), number: n, price: '50.00' })),
    ).flat();
    const layout = buildLayout(many);
    expect(neighbour(layout, 2, 'PageDown')).toBe(102); // row 0 -> row 10, same place in the row
    expect(neighbour(layout, 102, 'PageDown')).toBe(202); // on into the next section
    expect(neighbour(layout, 202, 'PageDown')).toBe(242); // the last row, not past it
    expect(neighbour(layout, 242, 'PageUp')).toBe(142);
    expect(neighbour(layout, 32, 'PageUp')).toBe(2);
    expect(neighbour(layout, 132, 'Home', true)).toBe(1);
    expect(neighbour(layout, 132, 'End', true)).toBe(243);
    expect(neighbour(layout, 132, 'End')).toBe(133);
  });
});
