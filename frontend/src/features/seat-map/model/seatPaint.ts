/**
 * How the room draws a seat: the category's colour, and for each state a second signal that
 * is not colour (WCAG 1.4.1): a solid disc, a disc with a ring and a tick, an empty ring with
 * dots, a dark disc with a diamond, a grey disc with a cross. Wheelchair spaces are squares.
 */
import type { SeatKind } from './seatKinds';

export type SeatMark = 'tick' | 'dots' | 'diamond' | 'cross' | null;

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
} as const;

export function seatPaint(kind: SeatKind, colour: string, ink: string, accessible: boolean): SeatPaint {
  const shape = accessible ? 'square' : 'circle';
  switch (kind) {
    case 'available':
      return { fill: colour, ring: null, mark: null, markColour: ink, shape };
    case 'held-mine':
      return { fill: colour, ring: PAINT_COLOURS.heldRing, mark: 'tick', markColour: ink, shape };
    case 'held-other':
      return { fill: PAINT_COLOURS.otherFill, ring: colour, mark: 'dots', markColour: PAINT_COLOURS.otherMark, shape };
    case 'booked-mine':
      return { fill: PAINT_COLOURS.bookedMineFill, ring: null, mark: 'diamond', markColour: '#ffffff', shape };
    case 'booked-other':
      return { fill: PAINT_COLOURS.bookedFill, ring: PAINT_COLOURS.bookedRing, mark: 'cross', markColour: PAINT_COLOURS.bookedMark, shape };
  }
}

/** Groups seats drawn alike, so a frame sets the canvas style once per group, not per seat. */
export function paintKey(p: SeatPaint): string {
  return `${p.shape}|${p.fill}|${p.ring ?? ''}`;
}
