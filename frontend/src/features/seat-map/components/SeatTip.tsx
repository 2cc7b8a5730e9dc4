import type { Ref } from 'react';
import { useSeat } from '../hooks/useSeat';
import type { CategoryIndex } from '../model/categories';
import type { SeatStore } from '../model/seatStore';
import { seatTooltipLines, type MoneyText } from '../model/seatText';

/** The tooltip of one seat on the canvas map: what it is, what it costs, its state, and why a
 * click on it was just refused. Hidden from screen readers: the List view says it all. */
interface SeatTipProps {
  store: SeatStore;
  id: number;
  categories: CategoryIndex;
  money?: MoneyText;
  /** Why a click on this seat was just refused. */
  note?: string;
  /** Placed by the canvas, which moves it with its seat on every frame it draws. */
  ref: Ref<HTMLDivElement>;
}

export function SeatTip({ store, id, categories, money, note, ref }: SeatTipProps) {
  const seat = useSeat(store, id);
  if (!seat) return null;
  const [title, ...lines] = seatTooltipLines(seat, categories, money);
  return (
    <div ref={ref} className="venue-map__tip" role="presentation" aria-hidden="true" data-testid="seat-tooltip" data-seat-id={id}>
      <strong>{title}</strong>
      {lines.map((line) => (
        <span key={line}>{line}</span>
      ))}
      {note && <span className="venue-map__tip-note">{note}</span>}
    </div>
  );
}

