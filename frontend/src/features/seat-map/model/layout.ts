import type { SeatInfo } from './seat';

export interface RowLayout {
  key: string;
  section: string;
  row: string;
  seatIds: number[];
}

export interface SectionLayout {
  name: string;
  rows: RowLayout[];
}

export interface MapLayout {
  sections: SectionLayout[];
  /** Every row of every section, top to bottom: for keyboard moves between rows. */
  rows: RowLayout[];
  /** seat id -> [row index in `rows`, index within the row] */
  position: Map<number, [number, number]>;
}

/** Groups seats by section then row, keeping the order the API gave ("layout order"). */
export function buildLayout(seats: readonly Pick<SeatInfo, 'id' | 'section' | 'row'>[]): MapLayout {
  const sections: SectionLayout[] = [];
  const sectionByName = new Map<string, SectionLayout>();
  const rowByKey = new Map<string, RowLayout>();
  for (const seat of seats) {
    let section = sectionByName.get(seat.section);
    if (!section) {
      section = { name: seat.section, rows: [] };
      sectionByName.set(seat.section, section);
      sections.push(section);
    }
    const key = `${seat.section}\u0000${seat.row}`;
    let row = rowByKey.get(key);
    if (!row) {
      row = { key, section: seat.section, row: seat.row, seatIds: [] };
      rowByKey.set(key, row);
      section.rows.push(row);
    }
    row.seatIds.push(seat.id);
  }
  const rows = sections.flatMap((s) => s.rows);
  const position = new Map<number, [number, number]>();
  rows.forEach((row, r) => row.seatIds.forEach((id, i) => position.set(id, [r, i])));
  return { sections, rows, position };
}

export type NavKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

const NAV_KEYS: readonly string[] = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'];

export function isNavKey(key: string): key is NavKey {
  return NAV_KEYS.includes(key);
}

/** How many rows PageUp and PageDown move. */
export const PAGE_ROWS = 10;

/**
 * The seat keyboard focus (or the map's seat cursor) moves to from `id`, as WAI-ARIA's grid
 * pattern moves between cells: arrows to the next seat in the row and to the row above or below
 * (across sections), Home/End to the row's ends, PageUp/PageDown PAGE_ROWS rows on, and with
 * Ctrl, Home/End to the first and last seat of all. At an edge it stays where it is.
 */
export function neighbour(layout: MapLayout, id: number, key: NavKey, ctrl = false): number {
  const at = layout.position.get(id);
  if (!at) return id;
  const [r, i] = at;
  const row = layout.rows[r].seatIds;
  const inRow = (target: number) => {
    const seats = layout.rows[Math.min(layout.rows.length - 1, Math.max(0, target))].seatIds;
    return seats[Math.min(i, seats.length - 1)];
  };
  switch (key) {
    case 'ArrowLeft':
      return row[Math.max(0, i - 1)];
    case 'ArrowRight':
      return row[Math.min(row.length - 1, i + 1)];
    case 'Home':
      return ctrl ? layout.rows[0].seatIds[0] : row[0];
    case 'End': {
      if (!ctrl) return row[row.length - 1];
      const last = layout.rows[layout.rows.length - 1].seatIds;
      return last[last.length - 1];
    }
    case 'ArrowUp':
      return inRow(r - 1);
    case 'ArrowDown':
      return inRow(r + 1);
    case 'PageUp':
      return inRow(r - PAGE_ROWS);
    case 'PageDown':
      return inRow(r + PAGE_ROWS);
  }
}
