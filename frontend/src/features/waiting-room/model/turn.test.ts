import { describe, expect, it } from 'vitest';
import { turnPhase } from './turn';

describe('turnPhase', () => {
  const turn = { expires_at: '2026-12-01T10:10:00Z' };
  const at = (iso: string) => Date.parse(iso);

  it('runs, then nears its end in the last minute, then is over', () => {
    expect(turnPhase(turn, at('2026-12-01T10:00:19Z'))).toEqual({ remainingMs: 581_000, phase: 'running' });
    expect(turnPhase(turn, at('2026-12-01T10:09:00Z')).phase).toBe('ending');
    expect(turnPhase(turn, at('2026-12-01T10:08:59Z')).phase).toBe('running');
    expect(turnPhase(turn, at('2026-12-01T10:10:00Z'))).toEqual({ remainingMs: 0, phase: 'over' });
    expect(turnPhase(turn, at('2026-12-01T11:00:00Z')).remainingMs).toBe(0);
  });

  it('treats an unreadable end as over', () => {
    expect(turnPhase({ expires_at: 'soon' }, 0).phase).toBe('over');
  });
});
