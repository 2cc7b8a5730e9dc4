/**
 * The List view renders seat buttons only for rows near the screen (and the rows the buyer is
 * working in); every other row keeps its group and its label, with an empty box of the height
 * its seats would take, so the page is as long, and scrolls the same, as with every seat drawn.
 * Pure sums; the observing and measuring are SeatMap's.
 */

/** Seat button box and gaps in a windowed list (styles.css, `.seat-map--windowed`). */
export interface RowMetrics {
  seatWidth: number;
  seatHeight: number;
  /** Between seats on a line. */
  columnGap: number;
  /** Between the lines of a row that wraps. */
  lineGap: number;
}

export const LIST_METRICS: RowMetrics = { seatWidth: 32, seatHeight: 26, columnGap: 3, lineGap: 6 };

/** How many seats fit on one line of a row `width` px wide (at least one). */
export function seatsPerLine(width: number, m: RowMetrics = LIST_METRICS): number {
  return Math.max(1, Math.floor((width + m.columnGap) / (m.seatWidth + m.columnGap)));
}

/** The height of a row's seats when they wrap at `perLine` a line. */
export function rowSeatsHeight(seats: number, perLine: number, m: RowMetrics = LIST_METRICS): number {
  if (seats <= 0) return 0;
  const lines = Math.ceil(seats / Math.max(1, perLine));
  return lines * m.seatHeight + (lines - 1) * m.lineGap;
}

/** The rows shown before anything is observed: from the top, up to `seats` seats (at least one row). */
export function leadingRows(rows: readonly { seatIds: readonly number[] }[], seats: number): Set<number> {
  const shown = new Set<number>();
  let count = 0;
  for (let r = 0; r < rows.length; r += 1) {
    if (shown.size > 0 && count + rows[r].seatIds.length > seats) break;
    count += rows[r].seatIds.length;
    shown.add(r);
  }
  return shown;
}

/** The rows to render: those near the screen, and those pinned (the focus stop's, the buyer's held seats'). */
export function rowsToRender(
  near: ReadonlySet<number>,
  position: ReadonlyMap<number, readonly [number, number]>,
  pinnedSeats: Iterable<number | null>,
): Set<number> {
  const rows = new Set(near);
  for (const id of pinnedSeats) {
    const at = id === null ? undefined : position.get(id);
    if (at) rows.add(at[0]);
  }
  return rows;
}

/** `near` with the rows that came into or left the observed band; the same set when nothing changed. */
export function updateNear(near: ReadonlySet<number>, changes: readonly { row: number; inside: boolean }[]): ReadonlySet<number> {
  let next: Set<number> | null = null;
  for (const { row, inside } of changes) {
    if (inside === (next ?? near).has(row)) continue;
    next ??= new Set(near);
    if (inside) next.add(row);
    else next.delete(row);
  }
  return next ?? near;
}
