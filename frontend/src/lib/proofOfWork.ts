/**
 * Proof of work a door may ask for (API.md "Challenges"): the server's ALTCHA challenge solved
 * here with `altcha/lib` (SHA-256, ~0.5 s), and the answer the server takes back as `altcha`.
 * The library is loaded only when a door asks: most buyers never meet one.
 */
import type { Challenge } from 'altcha/lib';

export async function solvedChallenge(challenge: Challenge): Promise<string | null> {
  const { solveChallenge, sha } = await import('altcha/lib');
  const solution = await solveChallenge({ challenge, deriveKey: sha.deriveKey, timeout: 60_000 });
  if (!solution) return null;
  const { counter, derivedKey } = solution;
  return btoa(JSON.stringify({ challenge, solution: { counter, derivedKey } }));
}

export function isChallenge(value: unknown): value is Challenge {
  const parameters = (value as { parameters?: unknown } | null)?.parameters;
  return typeof parameters === 'object' && parameters !== null;
}
