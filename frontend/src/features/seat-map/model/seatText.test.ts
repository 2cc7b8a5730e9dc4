import { describe, expect, it } from 'vitest';
import { buildLegend, indexCategories } from './categories';
import { seatAriaLabel, seatSpokenLabel, seatTooltipLines } from './seatText';

describe('seat labels for screen readers', () => {
  const base = { label: 'A1', section: 'Floor', price: '50.00' };
  it('says label, section, price and state', () => {
    expect(seatAriaLabel({ ...base, status: 'available', mine: false })).toBe('A1, Floor, 50.00, available');
    expect(seatAriaLabel({ ...base, status: 'locked', mine: true })).toBe('A1, Floor, 50.00, held by you');
    expect(seatAriaLabel({ ...base, status: 'locked', mine: false })).toBe('A1, Floor, 50.00, held by someone else');
    expect(seatAriaLabel({ ...base, status: 'reserved', mine: true })).toBe('A1, Floor, 50.00, booked by you');
    expect(seatAriaLabel({ ...base, status: 'reserved', mine: false })).toBe('A1, Floor, 50.00, booked');
  });
});

describe('spoken labels with category and flags (venue events)', () => {
  const categories = indexCategories(buildLegend([{ id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf' }]));
  const seat = {
    label: 'C12',
    section: 'Stalls',
    row: 'C',
    number: 12,
    price: '85.00',
    status: 'available' as const,
    mine: false,
    category: 1,
    accessible: true,
    companion: false,
    restrictedView: false,
    blocked: false,
  };

  it('says section, row, seat, category and price, state, and the seat\u2019s properties', () => {
    expect(seatSpokenLabel(seat, categories)).toBe('Stalls, row C, seat 12, Premium 85.00, available, wheelchair space');
    expect(seatSpokenLabel({ ...seat, accessible: false, companion: true, restrictedView: true, status: 'locked', mine: true }, categories)).toBe(
      'Stalls, row C, seat 12, Premium 85.00, held by you, companion seat, restricted view',
    );
  });

  it('calls a blocked seat "not for sale", not "booked"', () => {
    expect(seatSpokenLabel({ ...seat, accessible: false, status: 'reserved', blocked: true }, categories)).toBe(
      'Stalls, row C, seat 12, Premium 85.00, not for sale',
    );
  });

  it('says only the price when the category is unknown', () => {
    expect(seatSpokenLabel({ ...seat, category: 9, accessible: false }, categories)).toBe('Stalls, row C, seat 12, 85.00, available');
  });

  it('keeps the grid label starting with the visible label, adding category and flags', () => {
    expect(seatAriaLabel(seat, categories)).toBe('C12, Stalls, Premium 85.00, available, wheelchair space');
  });

  it('gives the tooltip label, place, category and price, state', () => {
    expect(seatTooltipLines(seat, categories)).toEqual(['C12', 'Stalls · row C', 'Premium · 85.00', 'available · wheelchair space']);
  });
});
