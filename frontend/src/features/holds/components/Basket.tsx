import { Icon } from '../../../components/Icon';
import { holdAgainText } from '../../../lib/error-messages';
import { countOf, DEFAULT_CURRENCY, formatPrice } from '../../../lib/format';
import { seatPlace, useHeldSeats, type SeatStore } from '../../seat-map';
import { useNow } from '../hooks/useNow';
import { summariseBasket } from '../model/basket';
import { describeCountdown, formatCountdown, remainingMs } from '../model/countdown';
import { mostAtOnce, ownedText, type BuyerState } from '../model/limits';

interface BasketProps {
  store: SeatStore;
  onRelease: (id: number) => void;
  onReserve: () => void;
  reserving: boolean;
  /** The event's currency (ISO 4217). */
  currency?: string;
  /** What the buyer holds, has booked and may still take (useSeatActions' `buyer`); not said until read. */
  buyer?: BuyerState;
  /** While the buyer may not hold seats of the event (useSeatActions' `holdAgainAt`): when they may again. */
  holdAgainAt?: number | null;
}

/** The held seats, ticking every second while there are any. */
function useBasket(store: SeatStore) {
  const held = useHeldSeats(store);
  const now = useNow(1000, held.length > 0);
  return { held, now, summary: summariseBasket(held) };
}

function reserveText(count: number, reserving: boolean): string {
  if (reserving) return 'Booking…';
  return count === 0 ? 'Reserve' : `Reserve ${countOf(count, 'seat')}`;
}

/** The basket's one timer: when the first hold ends (each seat's own is in the list). */
function BasketTimer({ endsAt, now, testId }: { endsAt: number | null; now: number; testId: string }) {
  const left = remainingMs(endsAt, now);
  return (
    <span
      className={`countdown basket-timer${left < 60_000 ? ' countdown--low' : ''}`}
      role="timer"
      aria-label={`Seats held for ${describeCountdown(left).replace(/ left$/, '')}`}
      data-testid={testId}
    >
      <Icon name="clock" size={16} />
      {formatCountdown(left)}
    </span>
  );
}

/** What the empty basket says: how to start, or, in the cooldown after a visit's holds ran out, when. */
function EmptyBasket({ holdAgainAt }: { holdAgainAt: number | null }) {
  return (
    <p className={holdAgainAt === null ? 'muted' : 'notice notice--info'} aria-live="polite" data-testid="basket-hint">
      {holdAgainAt === null ? 'Click a free seat to hold it for a few minutes.' : holdAgainText(holdAgainAt)}
    </p>
  );
}

export function Basket({ store, onRelease, onReserve, reserving, currency = DEFAULT_CURRENCY, buyer, holdAgainAt = null }: BasketProps) {
  const { held, now, summary } = useBasket(store);
  return (
    <aside className="card basket" aria-labelledby="basket-title">
      <div className="basket__head">
        <h2 id="basket-title">Your seats</h2>
        {held.length > 0 && <BasketTimer endsAt={summary.firstExpiry} now={now} testId="basket-timer" />}
      </div>
      <p className="basket__limit" data-testid="basket-limit">
        {/* "3 of 10 seats held", or until the server's count is read "3 seats held". */}
        {buyer ? ownedText(buyer) : `${countOf(summary.count, 'seat')} held`}
      </p>
      {held.length === 0 ? (
        <EmptyBasket holdAgainAt={holdAgainAt} />
      ) : (
        <ul className="basket__list" aria-label="Held seats">
          {held.map((seat) => {
            const left = remainingMs(seat.lockedUntil, now);
            const place = seatPlace(seat);
            return (
              <li key={seat.id} className="basket__item">
                <span className="basket__seat">{place}</span>
                <span className="basket__price">{formatPrice(seat.price, currency)}</span>
                <span className={`countdown${left < 60_000 ? ' countdown--low' : ''}`} aria-label={`${place} hold: ${describeCountdown(left)}`}>
                  {formatCountdown(left)}
                </span>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => onRelease(seat.id)}
                  disabled={seat.busy}
                  aria-label={`Release ${place}`}
                >
                  Release
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p className="basket__total">
        Total <strong data-testid="basket-total">{formatPrice(summary.total, currency)}</strong>
      </p>
      <button
        type="button"
        className="button button--primary button--wide"
        onClick={onReserve}
        disabled={summary.count === 0 || reserving}
      >
        {reserveText(summary.count, reserving)}
      </button>
    </aside>
  );
}

/**
 * The phone's basket: a bar held at the bottom of the screen while seats are held (CSS shows it
 * below 700 px only): how many, the total, one timer, and Reserve.
 */
export function BasketBar({ store, onReserve, reserving, currency = DEFAULT_CURRENCY, buyer }: Omit<BasketProps, 'onRelease' | 'holdAgainAt'>) {
  const { summary, now } = useBasket(store);
  if (summary.count === 0) return null;
  return (
    <section className="basket-bar" aria-label="Your seats, in short" data-testid="basket-bar">
      <p className="basket-bar__sum">
        <strong data-testid="basket-bar-count">{countOf(summary.count, 'seat')}</strong>
        {/* Of the most this basket may hold: the hold limit, less once bookings near the purchase limit. */}
        {buyer && <span className="basket-bar__limit"> of {mostAtOnce(buyer)}</span>}
        <br />
        <strong data-testid="basket-bar-total">{formatPrice(summary.total, currency)}</strong>
      </p>
      <BasketTimer endsAt={summary.firstExpiry} now={now} testId="basket-bar-timer" />
      <button type="button" className="button button--primary" onClick={onReserve} disabled={reserving}>
        {reserveText(summary.count, reserving)}
      </button>
    </section>
  );
}
