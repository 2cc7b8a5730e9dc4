/**
 * How the room draws a seat: the category's colour, and for each state a second signal that
 * is not colour (WCAG 1.4.1): a solid disc, a disc with a ring and a tick, an empty ring with
 * dots, a dark disc with a diamond, a grey disc with a cross; being paid for, a ringed disc
 * with dots (dark: yours). Wheelchair spaces are squares.
 * The console's seats off sale: kept back, an amber disc with a bar; killed, a black disc with a
 * slash.
 */
import type { DrawnKind } from './seatKinds';

export type SeatMark = 'tick' | 'dots' | 'diamond' | 'cross' | 'bar' | 'slash' | null;

export interface SeatPaint {
  fill: string;
  /** Ring drawn around the seat, or null. */
  ring: string | null;
  mark: SeatMark;
  markColour: string;
  shape: 'circle' | 'square';
}

export const PAINT_COLOURS = {
  heldRing: '#111827',
  otherFill: '#ffffff',
  otherMark: '#374151',
  bookedMineFill: '#1f2937',
  bookedFill: '#d1d5db',
  bookedRing: '#6b7280',
  bookedMark: '#374151',
  focus: '#2563eb',
  keptFill: '#fcd34d',
  keptRing: '#92400e',
  killedFill: '#111827',
  selected: '#7c3aed',
} as const;

export function seatPaint(kind: DrawnKind, colour: string, ink: string, accessible: boolean): SeatPaint {
  const shape = accessible ? 'square' : 'circle';
  switch (kind) {
    case 'available':
      return { fill: colour, ring: null, mark: null, markColour: ink, shape };
    case 'held-mine':
      return { fill: colour, ring: PAINT_COLOURS.heldRing, mark: 'tick', markColour: ink, shape };
    case 'held-other':
      return { fill: PAINT_COLOURS.otherFill, ring: colour, mark: 'dots', markColour: PAINT_COLOURS.otherMark, shape };
    case 'paying-mine':
      return { fill: PAINT_COLOURS.bookedMineFill, ring: PAINT_COLOURS.heldRing, mark: 'dots', markColour: '#ffffff', shape };
    case 'paying-other':
      return { fill: PAINT_COLOURS.bookedFill, ring: PAINT_COLOURS.bookedRing, mark: 'dots', markColour: PAINT_COLOURS.bookedMark, shape };
    case 'booked-mine':
      return { fill: PAINT_COLOURS.bookedMineFill, ring: null, mark: 'diamond', markColour: '#ffffff', shape };
    case 'booked-other':
      return { fill: PAINT_COLOURS.bookedFill, ring: PAINT_COLOURS.bookedRing, mark: 'cross', markColour: PAINT_COLOURS.bookedMark, shape };
    case 'kept':
      return { fill: PAINT_COLOURS.keptFill, ring: PAINT_COLOURS.keptRing, mark: 'bar', markColour: PAINT_COLOURS.keptRing, shape };
    case 'killed':
      return { fill: PAINT_COLOURS.killedFill, ring: null, mark: 'slash', markColour: '#ffffff', shape };
  }
}

/** Groups seats drawn alike, so a frame sets the canvas style once per group, not per seat. */
export function paintKey(p: SeatPaint): string {
  return `${p.shape}|${p.fill}|${p.ring ?? ''}`;
}
