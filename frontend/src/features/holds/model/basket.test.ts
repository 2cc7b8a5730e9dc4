import { describe, expect, it } from 'vitest';
import { summariseBasket } from './basket';
import type { Seat } from '../../seat-map';

const seat = (id: number, price: string, lockedUntil: number | null = 1_000 + id): Seat => ({
  id,
  label: `A${id}`,
  section: 'Floor',
  row: 'A',
  number: id,
  price,
  category: null,
  accessible: false,
  companion: false,
  restrictedView: false,
  blocked: false,
  status: 'locked',
  version: 2,
  lockedUntil,
  mine: true,
  busy: false,
});

describe('basket', () => {
  it('is empty with a zero total', () => {
    expect(summariseBasket([])).toEqual({ seatIds: [], count: 0, total: '0.00', firstExpiry: null });
  });

  it('adds prices in cents', () => {
    const summary = summariseBasket([seat(1, '50.00'), seat(2, '120.00'), seat(3, '0.10'), seat(4, '0.20')]);
    expect(summary.total).toBe('170.30');
    expect(summary.count).toBe(4);
    expect(summary.seatIds).toEqual([1, 2, 3, 4]);
  });

  it('stays exact over many seats', () => {
    const many = Array.from({ length: 1000 }, (_, i) => seat(i, '19.99'));
    expect(summariseBasket(many).total).toBe('19990.00');
    const tenths = Array.from({ length: 10 }, (_, i) => seat(i, '0.10'));
    expect(summariseBasket(tenths).total).toBe('1.00');
  });

  it('knows which hold ends first', () => {
    expect(summariseBasket([seat(1, '1.00', 5_000), seat(2, '1.00', 3_000)]).firstExpiry).toBe(3_000);
  });
});
