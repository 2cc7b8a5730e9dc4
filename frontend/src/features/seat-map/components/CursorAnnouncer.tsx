import { useSeat } from '../hooks/useSeat';
import type { CategoryIndex } from '../model/categories';
import type { SeatStore } from '../model/seatStore';
import { seatSpokenLabel, type MoneyText } from '../model/seatText';

/**
 * What the map's seat cursor is on, said by screen readers as it moves or as the seat changes:
 * "Stalls, row C, seat 12, Premium €85.00, available". Always in the page, so the live region
 * is known before its first words.
 */
export function CursorAnnouncer({ store, id, categories, money }: { store: SeatStore; id: number | null; categories: CategoryIndex; money?: MoneyText }) {
  return (
    <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="map-cursor">
      {id !== null && <CursorWords store={store} id={id} categories={categories} money={money} />}
    </p>
  );
}

function CursorWords({ store, id, categories, money }: { store: SeatStore; id: number; categories: CategoryIndex; money?: MoneyText }) {
  const seat = useSeat(store, id);
  return seat ? <>{seatSpokenLabel(seat, categories, money)}</> : null;
}
