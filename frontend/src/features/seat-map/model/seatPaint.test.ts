import { describe, expect, it } from 'vitest';
import { seatPaint } from './seatPaint';
import type { DrawnKind } from './seatKinds';

const KINDS: DrawnKind[] = ['available', 'held-mine', 'held-other', 'booked-mine', 'booked-other', 'kept', 'killed'];

describe('seat paint: not colour alone', () => {
  it('gives every state a distinct shape signal (ring and mark), whatever the colour', () => {
    const signals = KINDS.map((k) => {
      const p = seatPaint(k, '#777777', '#000000', false);
      return `${p.ring === null ? 'no-ring' : 'ring'}:${p.mark}`;
    });
    expect(new Set(signals).size).toBe(KINDS.length);
  });

  it('colours available and held-by-me seats by category; booked seats are grey whatever the category', () => {
    expect(seatPaint('available', '#7b2cbf', '#fff', false).fill).toBe('#7b2cbf');
    expect(seatPaint('held-mine', '#7b2cbf', '#fff', false).fill).toBe('#7b2cbf');
    expect(seatPaint('booked-other', '#7b2cbf', '#fff', false).fill).toBe(seatPaint('booked-other', '#00ff00', '#000', false).fill);
  });

  it('draws wheelchair spaces as squares', () => {
    expect(seatPaint('available', '#000000', '#fff', true).shape).toBe('square');
    expect(seatPaint('available', '#000000', '#fff', false).shape).toBe('circle');
  });
});
