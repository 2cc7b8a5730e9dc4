/**
 * The door's counts as a console or a scanner keeps them (PROTOCOL.md "The door"): each gate's
 * totals only grow, so the largest `entered` and `left` told are the truth whatever order the
 * `door` frames and the HTTP read came in.
 */
export interface GateTotals {
  entered: number;
  left: number;
}

export type Gates = Readonly<Record<string, GateTotals>>;

export function gatesMerged(known: Gates, told: Gates): Gates {
  const merged: Record<string, GateTotals> = { ...known };
  for (const [gate, totals] of Object.entries(told)) {
    const before = merged[gate] ?? { entered: 0, left: 0 };
    merged[gate] = { entered: Math.max(before.entered, totals.entered), left: Math.max(before.left, totals.left) };
  }
  return merged;
}

/** The hall's: the sum of its gates'. */
export function hallOf(gates: Gates): GateTotals & { inside: number } {
  let entered = 0;
  let left = 0;
  for (const totals of Object.values(gates)) {
    entered += totals.entered;
    left += totals.left;
  }
  return { entered, left, inside: entered - left };
}
