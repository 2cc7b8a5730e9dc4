import { Icon } from '../../../components/Icon';
import { summariseBasket } from '../model/basket';
import { describeCountdown, formatCountdown, remainingMs } from '../model/countdown';
import { useHeldSeats, type SeatStore } from '../../seat-map';
import { useNow } from '../hooks/useNow';

interface BasketProps {
  store: SeatStore;
  onRelease: (id: number) => void;
  onReserve: () => void;
  reserving: boolean;
}

export function Basket({ store, onRelease, onReserve, reserving }: BasketProps) {
  const held = useHeldSeats(store);
  const now = useNow(1000, held.length > 0);
  const summary = summariseBasket(held);
  return (
    <aside className="card basket" aria-labelledby="basket-title">
      <h2 id="basket-title">Your seats</h2>
      {held.length === 0 ? (
        <p className="muted">Click a free seat to hold it for a few minutes.</p>
      ) : (
        <ul className="basket__list" aria-label="Held seats">
          {held.map((seat) => {
            const left = remainingMs(seat.lockedUntil, now);
            return (
              <li key={seat.id} className="basket__item">
                <span className="basket__seat">
                  <strong>{seat.label}</strong> <span className="muted">{seat.section}</span>
                </span>
                <span className="basket__price">{seat.price}</span>
                <span className={`countdown${left < 60_000 ? ' countdown--low' : ''}`} aria-label={`${seat.label} hold: ${describeCountdown(left)}`}>
                  <Icon name="clock" size={14} /> 
                  {formatCountdown(left)}
                </span>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => onRelease(seat.id)}
                  disabled={seat.busy}
                  aria-label={`Release ${seat.label}`}
                >
                  Release
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p className="basket__total">
        Total <strong data-testid="basket-total">{summary.total}</strong>
      </p>
      <button
        type="button"
        className="button button--primary button--wide"
        onClick={onReserve}
        disabled={summary.count === 0 || reserving}
      >
        {reserving ? 'Booking…' : summary.count === 0 ? 'Reserve' : `Reserve ${summary.count} seat${summary.count === 1 ? '' : 's'}`}
      </button>
    </aside>
  );
}
