import { useEffect, useRef } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { Alert } from '../../../components/Alert';
import { SeatsReceipt } from '../../../components/SeatsReceipt';
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/error-messages';
import { formatDate } from '../../../lib/format';
import { useEvent } from '../../events';
import { useEventMoney } from '../hooks/useEventMoney';
import { useBookingsFeed } from '../hooks/useBookingsFeed';
import { useReservation } from '../hooks/useReservations';
import { STATUS_TEXT, bookedNotice } from '../model/booking';
import { CalendarLink } from './CalendarLink';
import { PayNow } from './PayNow';
import { Tickets } from './Tickets';

/**
 * A booking's confirmation (`/reservations/:reservationId`), where Reserve lands: its reference,
 * the event, its date and venue, each seat's section, row and price, the total in the event's
 * currency, and the calendar file; for an order awaiting payment, by when and "Pay now". It is
 * also where a payment provider's page returns to, and follows the order live (paid, expired).
 */
export function ReservationPage() {
  const id = Number(useParams().reservationId);
  const reservation = useReservation(id);
  useBookingsFeed();
  const eventId = reservation.data?.event.id ?? Number.NaN;
  const event = useEvent(eventId);
  const money = useEventMoney(eventId);
  const notice = bookedNotice(useLocation().state);
  const heading = useRef<HTMLHeadingElement>(null);
  const r = reservation.data;

  // A buyer who just booked is moved here: their screen reader starts at the news.
  useEffect(() => {
    if (r) heading.current?.focus();
  }, [r]);

  if (reservation.isPending && reservation.fetchStatus !== 'idle') return <p className="loading">Loading your booking…</p>;
  if (!r) {
    const { error } = reservation;
    return (
      <section>
        <h1>Booking not found</h1>
        <Alert>
          {error && !(error instanceof ApiError && error.status === 404)
            ? errorMessage(error)
            : `There is no booking ${Number.isInteger(id) ? `#${id} ` : ''}in your account.`}
        </Alert>
        <p>
          <Link to="/reservations">See all my reservations</Link>
        </p>
      </section>
    );
  }
  const confirmed = r.status === 'confirmed';
  return (
    <article className="receipt confirmation" aria-labelledby="confirmation-title" data-testid="confirmation">
      <h1 id="confirmation-title" ref={heading} tabIndex={-1}>
        {STATUS_TEXT[r.status]?.heading ?? r.status}
      </h1>
      {r.status === 'awaiting_payment' && <PayNow reservation={r} />}
      {notice && (
        <p className="notice notice--info" role="status">
          {notice}
        </p>
      )}
      <dl className="receipt__facts">
        <dt>Reference</dt>
        <dd data-testid="confirmation-reference">#{r.id}</dd>
        <dt>Event</dt>
        <dd>
          <Link to={`/events/${r.event.id}`}>{r.event.name}</Link>
        </dd>
        <dt>Date</dt>
        <dd>
          <time dateTime={r.event.starts_at}>{formatDate(r.event.starts_at)}</time>
        </dd>
        {event.data?.venue && (
          <>
            <dt>Venue</dt>
            <dd data-testid="confirmation-venue">{event.data.venue}</dd>
          </>
        )}
        <dt>Booked</dt>
        <dd>
          <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
        </dd>
      </dl>
      <SeatsReceipt seats={r.seats} total={r.total_price} money={money} totalTestId="confirmation-total" />
      <div className="receipt__actions confirmation__actions">
        {confirmed && <CalendarLink reservationId={r.id} />}
        <Link to="/reservations">See all my reservations</Link>
      </div>
      {/* After the actions: on a phone, the calendar link stays on the first screen. */}
      {confirmed && <Tickets reservationId={r.id} />}
    </article>
  );
}
