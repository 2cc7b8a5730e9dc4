/**
 * What the organiser's console marks on the map over the seats' states: the seats it has
 * selected, and which seats off sale are kept back and which killed (the stream says only
 * `reserved`; `GET .../off-sale/` says which). The buyer's page never makes one, and the map
 * draws as before without it.
 */

/** A seat's marks, as bits: one number per seat, so a seat's subscribers compare it cheaply. */
export const SELECTED = 1;
export const KEPT = 2;
export const KILLED = 4;

export type OffSaleKind = 'kept' | 'killed';

import { Listeners } from '../../../lib/listeners';
import { SeatListeners } from './seatListeners';

type Listener = () => void;

export class SeatOverlay {
  private marks = new Map<number, number>();
  private selected = new Set<number>();
  private offSale = 0;
  private seatListeners = new SeatListeners();
  private changes = new Listeners();

  /** The seat's marks (0: none). */
  mark = (id: number): number => this.marks.get(id) ?? 0;

  /** How many seats are marked kept back or killed: 0, and the map draws every seat by its state alone. */
  get offSaleCount(): number {
    return this.offSale;
  }

  /** The selected seats, in the order they were selected. */
  selectedIds(): number[] {
    return [...this.selected];
  }

  /** Replaces the selection. */
  setSelected(ids: Iterable<number>): void {
    const next = new Set(ids);
    const changed: number[] = [];
    for (const id of this.selected) if (!next.has(id)) changed.push(id);
    for (const id of next) if (!this.selected.has(id)) changed.push(id);
    this.selected = next;
    this.update(changed, (id, bits) => (next.has(id) ? bits | SELECTED : bits & ~SELECTED));
  }

  /** Replaces what is known of the seats off sale (`GET .../off-sale/`). */
  setOffSale(kinds: ReadonlyMap<number, OffSaleKind>): void {
    const changed: number[] = [];
    const bitsOf = (id: number) => {
      const kind = kinds.get(id);
      return kind === 'kept' ? KEPT : kind === 'killed' ? KILLED : 0;
    };
    for (const [id, bits] of this.marks) if ((bits & (KEPT | KILLED)) !== bitsOf(id)) changed.push(id);
    for (const id of kinds.keys()) if (!this.marks.has(id)) changed.push(id);
    this.update(changed, (id, bits) => (bits & SELECTED) | bitsOf(id));
    this.offSale = kinds.size;
  }

  subscribeSeat(id: number, listener: Listener): () => void {
    return this.seatListeners.subscribe(id, listener);
  }

  /** Told once per change of the selection or of the seats off sale (the canvas redraws). */
  subscribeChanges = this.changes.subscribe;

  private update(ids: number[], next: (id: number, bits: number) => number): void {
    const told: number[] = [];
    for (const id of ids) {
      const before = this.marks.get(id) ?? 0;
      const after = next(id, before);
      if (after === before) continue;
      if (after === 0) this.marks.delete(id);
      else this.marks.set(id, after);
      told.push(id);
    }
    if (told.length === 0) return;
    this.seatListeners.notify(told);
    this.changes.tell();
  }
}
