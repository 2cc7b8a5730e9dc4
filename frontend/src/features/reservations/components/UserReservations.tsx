import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../../lib/error-messages';
import { formatDate } from '../../../lib/format';
import { useEvent } from '../../events';
import type { Reservation } from '../api/reservations';
import { ShowMore } from '../../../components/ShowMore';
import { useEventMoney } from '../hooks/useEventMoney';
import { useBookingsFeed } from '../hooks/useBookingsFeed';
import { useCancelReservation, useReservations } from '../hooks/useReservations';
import { STATUS_TEXT, reservationPath, seatWhere } from '../model/booking';
import { ConfirmDialog } from './ConfirmDialog';
import { PayNow } from './PayNow';
import { Tickets } from './Tickets';
import { Alert } from '../../../components/Alert';

function EventMoney({ eventId, amount }: { eventId: number; amount: string }) {
  return <>{useEventMoney(eventId)(amount)}</>;
}

/** One booking: its event, date and venue, each seat's section, row, seat and price, the total, in the event's currency. */
function ReservationCard({ reservation: r, onCancel }: { reservation: Reservation; onCancel: () => void }) {
  const money = useEventMoney(r.event.id);
  const venue = useEvent(r.event.id).data?.venue;
  // Read when asked for: a long list shows no QR code it was not asked to.
  const [tickets, setTickets] = useState(false);
  return (
    <li className={`card reservation reservation--${r.status}`} aria-label={`Reservation #${r.id}`}>
      <h2>
        <Link to={`/events/${r.event.id}`}>{r.event.name}</Link>
      </h2>
      <p>
        <time dateTime={r.event.starts_at}>{formatDate(r.event.starts_at)}</time>
        {venue && ` · ${venue}`}
      </p>
      <ul className="reservation__seats" aria-label="Seats">
        {r.seats.map((s) => (
          <li key={s.id}>
            {seatWhere(s)} · {money(s.price)}
          </li>
        ))}
      </ul>
      <p>
        Total <strong data-testid="reservation-total">{money(r.total_price)}</strong>
      </p>
      <p>
        <span className={`badge badge--${r.status}`}>{STATUS_TEXT[r.status]?.badge ?? r.status}</span>{' '}
        <span className="muted">
          #{r.id}, booked <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
        </span>
      </p>
      <p>
        <Link to={reservationPath(r.id)}>Booking #{r.id}: details and calendar</Link>
      </p>
      {r.status === 'awaiting_payment' && <PayNow reservation={r} />}
      {r.status === 'confirmed' && (
        <button type="button" className="button" aria-expanded={tickets} onClick={() => setTickets((shown) => !shown)}>
          {tickets ? 'Hide tickets' : 'Show tickets'}
        </button>
      )}
      {tickets && <Tickets reservationId={r.id} />}
      {(r.status === 'confirmed' || r.status === 'awaiting_payment') && (
        <button type="button" className="button button--danger" onClick={onCancel}>
          Cancel reservation #{r.id}
        </button>
      )}
    </li>
  );
}

export function UserReservations() {
  const reservations = useReservations();
  useBookingsFeed();
  const cancel = useCancelReservation();
  const [asking, setAsking] = useState<Reservation | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const confirm = () => {
    if (!asking) return;
    const target = asking;
    cancel.mutate(target.id, {
      onSuccess: () => setNotice({ kind: 'ok', text: `Reservation #${target.id} cancelled. Its seats are free again.` }),
      onError: (error) => setNotice({ kind: 'error', text: errorMessage(error) }),
      onSettled: () => setAsking(null),
    });
  };

  return (
    <section aria-labelledby="reservations-title">
      <h1 id="reservations-title">My reservations</h1>
      <div aria-live="polite">
        {notice && (
          <p className={`notice notice--${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </p>
        )}
      </div>
      {reservations.isPending && <p className="loading">Loading…</p>}
      {reservations.isError && <Alert>{errorMessage(reservations.error)}</Alert>}
      {reservations.items?.length === 0 && (
        <p>
          No bookings yet. <Link to="/">Find an event</Link>.
        </p>
      )}
      <ul className="reservation-list">
        {reservations.items?.map((r) => (
          <ReservationCard key={r.id} reservation={r} onCancel={() => setAsking(r)} />
        ))}
      </ul>
      <ShowMore list={reservations} what="reservations" />
      <ConfirmDialog
        open={asking !== null}
        title="Cancel this reservation?"
        confirmText="Yes, cancel it"
        cancelText="Keep it"
        busy={cancel.isPending}
        onConfirm={confirm}
        onCancel={() => setAsking(null)}
      >
        {asking && (
          <p>
            {asking.event.name}: seats {asking.seats.map((s) => s.label).join(', ')} (<EventMoney eventId={asking.event.id} amount={asking.total_price} />).
            The seats go back on sale at once.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
