import { memo } from 'react';
import { useIsFocusStop, useSeat } from '../hooks/useSeat';
import type { RovingFocus } from '../model/rovingFocus';
import { seatKind, type SeatStore } from '../model/seatState';
import { KIND_TEXT, seatAriaLabel } from '../model/seatText';

/** Test hook: counts seat renders (unit tests prove one change renders one seat). */
export const seatRenderProbe: { onRender: ((id: number) => void) | null } = { onRender: null };

interface SeatButtonProps {
  id: number;
  store: SeatStore;
  focus: RovingFocus;
}

/**
 * One seat. Clicks and keys are handled once, on the map (event delegation via `data-seat-id`),
 * so the props never change and a seat re-renders only when its own state does.
 */
export const SeatButton = memo(function SeatButton({ id, store, focus }: SeatButtonProps) {
  const seat = useSeat(store, id);
  const isStop = useIsFocusStop(focus, id);
  seatRenderProbe.onRender?.(id);
  if (!seat) return null;
  const kind = seatKind(seat);
  const booked = seat.status === 'reserved';
  return (
    <button
      type="button"
      className={`seat seat--${kind}${seat.label.length > 3 ? ` seat--long${seat.label.length > 4 ? 'er' : ''}` : ''}`}
      data-seat-id={id}
      aria-label={seatAriaLabel(seat)}
      aria-pressed={kind === 'held-mine'}
      aria-disabled={booked || undefined}
      aria-busy={seat.busy || undefined}
      tabIndex={isStop ? 0 : -1}
      title={`${seat.label} · ${seat.section} · ${seat.price} · ${KIND_TEXT[kind]}`}
    >
      {seat.label}
    </button>
  );
});
