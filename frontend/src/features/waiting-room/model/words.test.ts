import { describe, expect, it } from 'vitest';
import { stateWords, timeUntil } from './words';

const base = { reason: '', opens_at: '2026-12-01T09:00:00Z', on_sale_at: '2026-12-01T10:00:00Z', holds_end_at: null } as const;

describe('timeUntil', () => {
  it('counts down in minutes, hours or days', () => {
    expect(timeUntil(299_400)).toBe('4:59');
    expect(timeUntil(3_899_000)).toBe('1:04:59');
    expect(timeUntil(2 * 86_400_000 + 3 * 3_600_000 + 5_000)).toBe('2 days 3 h');
    expect(timeUntil(-5)).toBe('0:00');
  });
});

describe('stateWords', () => {
  it('names why the sale is paused', () => {
    expect(stateWords({ ...base, state: 'paused', reason: 'redis' }).detail).toMatch(/problem on our side/);
    expect(stateWords({ ...base, state: 'paused', reason: 'organiser' }).detail).toMatch(/organiser has paused/);
  });

  it('says when the last holds end when every seat is held', () => {
    const held = stateWords({ ...base, state: 'held_out', holds_end_at: '2026-12-01T10:15:00Z' }, 'en-GB');
    expect(held.title).toBe('Every seat is held right now');
    expect(held.detail).toContain(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }).format(Date.parse('2026-12-01T10:15:00Z')));
    expect(stateWords({ ...base, state: 'held_out' }).detail).not.toMatch(/ends at/);
  });

  it('has words for every state', () => {
    for (const state of ['scheduled', 'pre_queue', 'draw', 'admitting', 'paused', 'held_out', 'sold_out'] as const) {
      const words = stateWords({ ...base, state });
      expect(words.title.length).toBeGreaterThan(0);
      expect(words.detail.length).toBeGreaterThan(0);
    }
    expect(stateWords({ ...base, state: 'sold_out' }).title).toBe('Sold out');
    expect(stateWords({ ...base, state: 'draw', reason: 'randomness' }).detail).toMatch(/public random number/);
  });
});
