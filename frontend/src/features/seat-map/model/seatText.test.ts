import { describe, expect, it } from 'vitest';
import { seatAriaLabel } from './seatText';

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
