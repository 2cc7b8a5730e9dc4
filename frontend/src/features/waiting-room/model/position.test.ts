import { describe, expect, it } from 'vitest';
import { estimateText, positionLine, queuePosition, type PositionInput } from './position';

const state = (patch: Partial<PositionInput> = {}): PositionInput => ({
  serving: 8023,
  rate: 500,
  show_share: 0.8,
  seats_per_order: 2.4,
  seats_left: 12_000,
  ...patch,
});

describe('queuePosition', () => {
  it('counts those ahead as the numbers still to call before this one', () => {
    expect(queuePosition(state({ serving: 8023 }), 12_345).ahead).toBe(4321);
    expect(queuePosition(state({ serving: 12_344 }), 12_345).ahead).toBe(0);
    // called already: nobody is ahead, never a negative count
    expect(queuePosition(state({ serving: 20_000 }), 12_345)).toMatchObject({ ahead: 0, called: true });
    expect(queuePosition(state({ serving: 12_344 }), 12_345).called).toBe(false);
    expect(queuePosition(state({ serving: 12_345 }), 12_345).called).toBe(true);
  });

  it('expects only the share of those ahead who come', () => {
    expect(queuePosition(state({ serving: 0, show_share: 0.5 }), 101).expected).toBe(50);
  });

  it('estimates from the share who come (fast end) to everyone ahead (slow end), rounded outward', () => {
    // 4321 ahead at 500 a minute: 4321 × 0.8 / 500 = 6.9 → 6; 4321 / 500 = 8.6 → 9
    expect(queuePosition(state(), 12_345).estimate).toEqual({ low: 6, high: 9 });
    // exact minutes stay as they are
    expect(queuePosition(state({ serving: 0, rate: 100, show_share: 0.5 }), 1001).estimate).toEqual({ low: 5, high: 10 });
  });

  it('gives no estimate while no number is being called', () => {
    expect(queuePosition(state({ rate: 0 }), 12_345).estimate).toBeNull();
  });

  it('keeps a share the server has not measured yet from promising too much', () => {
    expect(queuePosition(state({ show_share: 1.7 }), 12_345).expected).toBe(4321);
    expect(queuePosition(state({ show_share: Number.NaN }), 12_345).expected).toBe(4321);
    expect(queuePosition(state({ show_share: -1 }), 12_345).estimate).toEqual({ low: 0, high: 9 });
  });

  it('warns when those ahead are likely to take every seat that is left', () => {
    // 4321 × 0.8 × 2.4 = 8296 seats expected to go
    expect(queuePosition(state({ seats_left: 8297 }), 12_345).likelyGone).toBe(false);
    expect(queuePosition(state({ seats_left: 8296 }), 12_345).likelyGone).toBe(true);
    expect(queuePosition(state({ seats_left: 100 }), 12_345).likelyGone).toBe(true);
    // nobody ahead: nobody to take them first
    expect(queuePosition(state({ serving: 12_344, seats_left: 1 }), 12_345).likelyGone).toBe(false);
  });
});

describe('estimateText', () => {
  it('says a range, a single figure, or that the sale is not moving', () => {
    expect(estimateText({ low: 6, high: 9 })).toBe('about 6-9 min');
    expect(estimateText({ low: 4, high: 4 })).toBe('about 4 min');
    expect(estimateText({ low: 0, high: 3 })).toBe('up to about 3 min');
    expect(estimateText({ low: 0, high: 1 })).toBe('about a minute');
    expect(estimateText({ low: 0, high: 0 })).toBe('next in line');
    expect(estimateText(null)).toBe('waiting for the sale to move');
  });

  it('counts long waits in hours, rounded outward', () => {
    expect(estimateText({ low: 130, high: 200 })).toBe('about 2-4 h');
    expect(estimateText({ low: 30, high: 150 })).toBe('up to about 3 h');
    expect(estimateText({ low: 180, high: 180 })).toBe('about 3 h');
  });
});

describe('positionLine', () => {
  it('reads as the issue writes it', () => {
    const admitting = { state: 'admitting', seats_left: 1104 } as const;
    expect(positionLine(queuePosition(state({ seats_left: 1104 }), 12_345), admitting, 'en-US')).toBe(
      'No. 12,345 · 4,321 ahead · about 6-9 min · 1,104 seats left',
    );
    const slow = state({ rate: 0, seats_left: 1 });
    expect(positionLine(queuePosition(slow, slow.serving + 5), { state: 'admitting', seats_left: 1 }, 'en-US')).toBe(
      `No. ${(slow.serving + 5).toLocaleString('en-US')} · 4 ahead · waiting for the sale to move · 1 seat left`,
    );
    expect(positionLine(queuePosition(slow, slow.serving + 1), { state: 'admitting', seats_left: 1 }, 'en-US')).toBe(
      `No. ${(slow.serving + 1).toLocaleString('en-US')} · 0 ahead · next in line · 1 seat left`,
    );
  });

  it('promises no wait while no number is called, whatever the last minute was', () => {
    const position = queuePosition(state({ rate: 120 }), 12_345);
    expect(positionLine(position, { state: 'paused', seats_left: 90 }, 'en-US')).toBe('No. 12,345 · 4,321 ahead · paused · 90 seats left');
    expect(positionLine(position, { state: 'held_out', seats_left: 0 }, 'en-US')).toBe(
      'No. 12,345 · 4,321 ahead · waiting for held seats to come back · 0 seats left',
    );
    expect(positionLine(position, { state: 'sold_out', seats_left: 0 }, 'en-US')).toBe('No. 12,345 · 4,321 ahead · 0 seats left');
  });
});
