import { describe, expect, it } from 'vitest';
import { FALLBACK_COLOURS, buildLegend, contrast, countAvailable, indexCategories, inkOn, normaliseColour } from './categories';

describe('legend from categories', () => {
  const api = [
    { id: 1, name: 'Premium', price: '85.00', colour: '#7B2CBF', seats_total: 400, seats_available: 380 },
    { id: 2, name: 'Stalls', price: '45.00', colour: 'purple' },
    { id: 3, name: 'Gallery', price: '20.00', colour: '#ff0' },
    { id: 1, name: 'Premium again', price: '1.00', colour: '#000000' },
  ];

  it('lists names, prices and colours in the server order, each category once', () => {
    const legend = buildLegend(api);
    expect(legend.map((c) => [c.name, c.price, c.colour])).toEqual([
      ['Premium', '85.00', '#7b2cbf'],
      ['Stalls', '45.00', FALLBACK_COLOURS[1]],
      ['Gallery', '20.00', '#ffff00'],
    ]);
  });

  it('is empty for events without categories', () => {
    expect(buildLegend(undefined)).toEqual([]);
    expect(buildLegend(null)).toEqual([]);
  });

  it('picks readable ink for each colour', () => {
    expect(inkOn('#ffff00')).toBe('#000000');
    expect(inkOn('#7b2cbf')).toBe('#ffffff');
    for (const c of buildLegend(api)) expect(contrast(c.colour, c.ink)).toBeGreaterThanOrEqual(4.5);
  });

  it('accepts only hex colours', () => {
    expect(normaliseColour(' #ABC ')).toBe('#aabbcc');
    expect(normaliseColour('url(x)')).toBeNull();
    expect(normaliseColour(null)).toBeNull();
  });

  it('indexes by id', () => {
    expect(indexCategories(buildLegend(api)).get(3)?.name).toBe('Gallery');
  });
});

describe('seats left per category, live', () => {
  it('counts available seats per category, not held, booked or blocked ones', () => {
    const seat = (category: number | null, status: string, blocked = false) => ({ category, status, blocked });
    const counts = countAvailable([
      seat(1, 'available'),
      seat(1, 'available'),
      seat(1, 'locked'),
      seat(2, 'reserved', true),
      seat(2, 'available', true),
      seat(2, 'reserved'),
      seat(null, 'available'),
    ]);
    expect([...counts]).toEqual([[1, 2]]);
  });
});
