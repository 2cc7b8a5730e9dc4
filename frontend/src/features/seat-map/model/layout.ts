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

export type NavKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

export function isNavKey(key: string): key is NavKey {
  return ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(key);
}

/** The seat keyboard focus moves to from `id` (arrows within and across rows, Home/End in a row). */
export function neighbour(layout: MapLayout, id: number, key: NavKey): number {
  const at = layout.position.get(id);
  if (!at) return id;
  const [r, i] = at;
  const row = layout.rows[r].seatIds;
  switch (key) {
    case 'ArrowLeft':
      return row[Math.max(0, i - 1)];
    case 'ArrowRight':
      return row[Math.min(row.length - 1, i + 1)];
    case 'Home':
      return row[0];
    case 'End':
      return row[row.length - 1];
    case 'ArrowUp':
    case 'ArrowDown': {
      const target = layout.rows[key === 'ArrowUp' ? r - 1 : r + 1];
      if (!target) return id;
      return target.seatIds[Math.min(i, target.seatIds.length - 1)];
    }
  }
}
