import { describe, expect, it } from 'vitest';
import { gatesMerged, hallOf } from './doorCounts';

describe('the door’s counts', () => {
  it('keep each gate’s largest totals, whatever order they are told in', () => {
    const read = { North: { entered: 5, left: 1 } };
    const late = gatesMerged(gatesMerged(read, { North: { entered: 7, left: 1 } }), { North: { entered: 6, left: 2 } });
    expect(late).toEqual({ North: { entered: 7, left: 2 } });
    expect(gatesMerged(late, { South: { entered: 1, left: 0 } })).toEqual({ North: { entered: 7, left: 2 }, South: { entered: 1, left: 0 } });
  });

  it('add up to the hall’s, inside being those in less those out', () => {
    expect(hallOf({ North: { entered: 7, left: 2 }, South: { entered: 3, left: 0 } })).toEqual({ entered: 10, left: 2, inside: 8 });
    expect(hallOf({})).toEqual({ entered: 0, left: 0, inside: 0 });
  });
});
