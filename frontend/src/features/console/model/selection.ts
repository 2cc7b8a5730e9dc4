/**
 * Which seats the console has selected, as pure functions of the selection before (ids in the
 * order chosen): a click toggles a seat, Shift-click its whole row, a box drawn on the map takes
 * the seats in it (Shift: added to the selection), the picker a section or one of its rows.
 */
import type { MapLayout } from '../../seat-map';

export type Selection = readonly number[];

/** The ids of the seat's row (section and row), in layout order; the seat alone if the layout has no row for it. */
export function rowOf(layout: MapLayout, id: number): number[] {
  const at = layout.position.get(id);
  return at ? [...layout.rows[at[0]].seatIds] : [id];
}

function adding(selection: Selection, ids: readonly number[]): number[] {
  const have = new Set(selection);
  return [...selection, ...ids.filter((id) => !have.has(id))];
}

/** A click on a seat: toggles it; with Shift, its row: selected whole unless it already was, then let go. */
export function pickSeat(selection: Selection, id: number, shift: boolean, layout: MapLayout): number[] {
  if (!shift) return selection.includes(id) ? selection.filter((s) => s !== id) : [...selection, id];
  const row = rowOf(layout, id);
  const have = new Set(selection);
  if (row.every((s) => have.has(s))) {
    const gone = new Set(row);
    return selection.filter((s) => !gone.has(s));
  }
  return adding(selection, row);
}

/** A box drawn on the map: the seats in it, instead of the selection or (Shift) added to it. */
export function pickBox(selection: Selection, ids: readonly number[], shift: boolean): number[] {
  return shift ? adding(selection, ids) : [...new Set(ids)];
}

/** The seats of a section, or of one of its rows, added to the selection (the picker). */
export function pickSection(selection: Selection, layout: MapLayout, section: string, row: string | null): number[] {
  const found = layout.rows.filter((r) => r.section === section && (row === null || r.row === row)).flatMap((r) => r.seatIds);
  return adding(selection, found);
}

/** The rows of a section, in layout order (the picker's second list). */
export function rowsOf(layout: MapLayout, section: string): string[] {
  return layout.rows.filter((r) => r.section === section).map((r) => r.row);
}
