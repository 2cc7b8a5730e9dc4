import { describe, expect, it } from 'vitest';
import { buildLayout, buildVenue, seatsInBox } from '../../seat-map';
import { pickBox, pickSeat, pickSection, rowOf, rowsOf } from './selection';

// Two sections; Stalls rows A (1-3) and B (4-6), Circle row A (7-8).
const layout = buildLayout([
  { id: 1, section: 'Stalls', row: 'A' },
  { id: 2, section: 'Stalls', row: 'A' },
  { id: 3, section: 'Stalls', row: 'A' },
  { id: 4, section: 'Stalls', row: 'B' },
  { id: 5, section: 'Stalls', row: 'B' },
  { id: 6, section: 'Stalls', row: 'B' },
  { id: 7, section: 'Circle', row: 'A' },
  { id: 8, section: 'Circle', row: 'A' },
]);

describe('selecting seats in the console', () => {
  it('toggles a clicked seat', () => {
    expect(pickSeat([], 2, false, layout)).toEqual([2]);
    expect(pickSeat([2, 5], 2, false, layout)).toEqual([5]);
  });

  it('takes the whole row on Shift-click, and lets it go when it was all selected', () => {
    expect(rowOf(layout, 5)).toEqual([4, 5, 6]);
    expect(pickSeat([7, 5], 4, true, layout)).toEqual([7, 5, 4, 6]);
    expect(pickSeat([7, 4, 5, 6], 6, true, layout)).toEqual([7]);
  });

  it("takes a section's row, not the same row letter of another section", () => {
    expect(pickSeat([], 1, true, layout)).toEqual([1, 2, 3]);
  });

  it('replaces the selection with a box, or adds the box to it with Shift', () => {
    expect(pickBox([1, 2], [2, 7], false)).toEqual([2, 7]);
    expect(pickBox([1, 2], [2, 7], true)).toEqual([1, 2, 7]);
  });

  it('adds a whole section, or one of its rows, from the picker', () => {
    expect(pickSection([8], layout, 'Stalls', 'B')).toEqual([8, 4, 5, 6]);
    expect(pickSection([], layout, 'Circle', null)).toEqual([7, 8]);
    expect(rowsOf(layout, 'Stalls')).toEqual(['A', 'B']);
  });

  it("finds the seats inside a box drawn on the room's plan, either corner first", () => {
    const venue = buildVenue({
      event_id: 1,
      width: 100,
      height: 100,
      shapes: [],
      seats: [
        { id: 1, x: 10, y: 10 },
        { id: 2, x: 20, y: 10 },
        { id: 3, x: 30, y: 10 },
        { id: 4, x: 10, y: 40 },
      ],
    });
    expect(seatsInBox(venue, { x: 15, y: 5 }, { x: 35, y: 15 })).toEqual([2, 3]);
    expect(seatsInBox(venue, { x: 35, y: 45 }, { x: 5, y: 5 })).toEqual([1, 2, 3, 4]);
    expect(seatsInBox(venue, { x: 40, y: 40 }, { x: 50, y: 50 })).toEqual([]);
  });
});
