import { describe, expect, it } from 'vitest';
import { buildLegend, indexCategories } from './categories';
import { listText, seatAriaLabel, seatPlace, seatPlaces, seatSpokenLabel, seatTooltipLines, sectionText } from './seatText';

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

describe('where a seat is, in the layout\u2019s names', () => {
  it('says "Sec" before a numbered section and keeps a named one', () => {
    expect(sectionText('101')).toBe('Sec 101');
    expect(sectionText('B12')).toBe('Sec B12');
    expect(sectionText('Stalls')).toBe('Stalls');
    expect(sectionText('Dress Circle')).toBe('Dress Circle');
  });

  it('names section, row and seat, apart from any price', () => {
    expect(seatPlace({ section: '101', row: 'A', number: 5 })).toBe('Sec 101 · Row A · Seat 5');
    expect(seatPlace({ section: 'Stalls', row: 'C', number: 12 })).toBe('Stalls · Row C · Seat 12');
  });

  it('groups seats of a row into runs, one entry per row in the order met', () => {
    const seats = [8, 5, 7, 6, 10].map((number) => ({ section: '101', row: 'A', number }));
    expect(seatPlaces([...seats, { section: 'Stalls', row: 'C', number: 12 }])).toEqual([
      'Sec 101 · Row A · Seats 5\u20138, 10',
      'Stalls · Row C · Seat 12',
    ]);
    expect(seatPlaces([])).toEqual([]);
  });
});

describe('prices in the event\u2019s currency', () => {
  const categories = indexCategories(buildLegend([{ id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf' }]));
  const money = (amount: string) => `\u20ac${amount}`;
  const seat = { label: 'C12', section: 'Stalls', row: 'C', number: 12, price: '85.00', status: 'available' as const, mine: false, category: 1 };

  it('writes every amount with the formatter given', () => {
    expect(seatSpokenLabel(seat, categories, money)).toBe('Stalls, row C, seat 12, Premium \u20ac85.00, available');
    expect(seatAriaLabel({ ...seat, category: null }, categories, money)).toBe('C12, Stalls, \u20ac85.00, available');
    expect(seatTooltipLines(seat, categories, money)[2]).toBe('Premium · \u20ac85.00');
  });
});

describe('the List view paints seats as the room\u2019s map does', () => {
  const categories = indexCategories(buildLegend([{ id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf' }]));
  const base = {
    id: 1, label: 'C12', section: 'Stalls', row: 'C', number: 12, price: '85.00', category: 1, accessible: false, companion: false,
    restrictedView: false, blocked: false, version: 1, lockedUntil: null, busy: false,
  };
  const style = listText(categories);

  it('in the category colour when free, with the map\u2019s marks for each state', () => {
    expect(style.paint?.({ ...base, status: 'available', mine: false })).toMatchObject({ fill: '#7b2cbf', mark: null });
    expect(style.paint?.({ ...base, status: 'locked', mine: true })).toMatchObject({ fill: '#7b2cbf', mark: 'tick' });
    expect(style.paint?.({ ...base, status: 'locked', mine: false })).toMatchObject({ fill: '#ffffff', ring: '#7b2cbf', mark: 'dots' });
    expect(style.paint?.({ ...base, status: 'reserved', mine: false })?.mark).toBe('cross');
    expect(style.paint?.({ ...base, status: 'available', mine: false, accessible: true })?.shape).toBe('square');
  });
});
