import { memo, type CSSProperties } from 'react';
import { useIsFocusStop, useSeat, useSeatMark } from '../hooks/useSeat';
import type { RovingFocus } from '../model/rovingFocus';
import { inAnOrder } from '../model/seat';
import { drawnKind, seatKind } from '../model/seatKinds';
import { SELECTED, type SeatOverlay } from '../model/seatOverlay';
import type { SeatStore } from '../model/seatStore';
import { GRID_TEXT, type SeatTextStyle } from '../model/seatText';

interface SeatButtonProps {
  id: number;
  store: SeatStore;
  focus: RovingFocus;
  /** How the seat reads (grid or the room's list); stable per map, so seats do not re-render for it. */
  text?: SeatTextStyle;
  /** The console's marks on this seat (model/seatOverlay.ts): selected (pressed), kept back, killed; absent on the buyer's page. */
  mark?: number;
}

/**
 * One seat. Clicks and keys are handled once, on the map (event delegation via `data-seat-id`),
 * so the props never change and a seat re-renders only when its own state does.
 */
export const SeatButton = memo(function SeatButton({ id, store, focus, text = GRID_TEXT, mark }: SeatButtonProps) {
  const seat = useSeat(store, id);
  const isStop = useIsFocusStop(focus, id);
  if (!seat) return null;
  const marked = mark !== undefined;
  const kind = marked ? drawnKind(seat, mark) : seatKind(seat);
  const selected = marked && (mark & SELECTED) !== 0;
  const booked = inAnOrder(seat.status);
  const visible = text.visible(seat);
  // Seats are painted as the room's map draws them; a grid without categories has its own styles.
  const paint = text.paint?.(seat);
  const flag = seat.accessible ? '♿' : seat.restrictedView ? '◐' : null;
  const style = paint ? ({ '--seat-fill': paint.fill, '--seat-ring': paint.ring ?? paint.fill, '--seat-ink': paint.markColour } as CSSProperties) : undefined;
  const look = paint ? ` seat--painted seat--${paint.shape}` : '';
  return (
    <button
      type="button"
      className={`seat seat--${kind}${visible.length > 3 ? ` seat--long${visible.length > 4 ? 'er' : ''}` : ''}${look}${selected ? ' seat--selected' : ''}`}
      style={style}
      data-seat-id={id}
      aria-label={text.spoken(seat)}
      // In the console a press selects any seat (what may be done with it is the server's to say).
      aria-pressed={marked ? selected : kind === 'held-mine'}
      aria-disabled={(booked && !marked) || undefined}
      aria-busy={seat.busy || undefined}
      tabIndex={isStop ? 0 : -1}
      title={text.tooltip(seat).join(' · ')}
    >
      {visible}
      {flag && (
        <span className="seat__flag" aria-hidden="true">
          {flag}
        </span>
      )}
    </button>
  );
});

/** A seat in the console: its marks followed too (a change of selection re-renders this seat alone). */
export function MarkedSeatButton({ overlay, ...props }: Omit<SeatButtonProps, 'mark'> & { overlay: SeatOverlay }) {
  return <SeatButton {...props} mark={useSeatMark(overlay, props.id)} />;
}
