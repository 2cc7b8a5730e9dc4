import { describe, expect, it } from 'vitest';
import protocol from '../../../docs/PROTOCOL.md?raw';
import { CLOSE_POLICIES, closePolicy } from './close-codes';

/** The rows of PROTOCOL.md's "Closing" table: code and "what the client does". */
function documentedCodes(): [number, string][] {
  const closing = protocol.split(/^## /m).find((section) => section.startsWith('Closing'));
  if (!closing) throw new Error('PROTOCOL.md has no "Closing" section');
  return [...closing.matchAll(/^\| (\d{4}) \|[^|]*\| ([^|]+) \|$/gm)].map((m) => [Number(m[1]), m[2].trim()]);
}

describe('close codes', () => {
  it('has a policy for exactly the codes PROTOCOL.md lists, doing what it says', () => {
    const documented = documentedCodes();
    expect(documented.length).toBeGreaterThan(0);
    expect(Object.keys(CLOSE_POLICIES).map(Number).sort()).toEqual(documented.map(([code]) => code).sort());
    for (const [code, todo] of documented) {
      const expected = todo === 'stop' ? 'stop' : todo.startsWith('reconnect after a delay') ? 'back-off' : 'reconnect';
      expect([code, closePolicy(code).action]).toEqual([code, expected]);
    }
  });

  it('reconnects as usual after a close the server did not explain', () => {
    for (const code of [1000, 1001, 1006, undefined, null]) expect(closePolicy(code)).toEqual({ action: 'reconnect', reason: null });
  });
});
