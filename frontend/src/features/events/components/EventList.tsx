import { Link } from 'react-router';
import { ShowMore } from '../../../components/ShowMore';
import { errorMessage } from '../../../lib/error-messages';
import { formatCount } from '../../../lib/format';
import { formatDate } from '../../../lib/format';
import { priceRange } from '../format';
import { useEvents } from '../hooks/useEvents';
import { Alert } from '../../../components/Alert';

export function EventList() {
  const events = useEvents();
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      {events.isPending && <p className="loading">Loading events…</p>}
      {events.isError && <Alert>{errorMessage(events.error)}</Alert>}
      {events.items?.length === 0 && <p>No events yet.</p>}
      <ul className="event-list">
        {events.items?.map((event) => (
          <li key={event.id} className="card event-card">
            <h2>
              <Link to={`/events/${event.id}`}>{event.name}</Link>
            </h2>
            <dl>
              <div>
                <dt>Date</dt>
                <dd>
                  <time dateTime={event.starts_at}>{formatDate(event.starts_at)}</time>
                </dd>
              </div>
              <div>
                <dt>Venue</dt>
                <dd>{event.venue}</dd>
              </div>
              <div>
                <dt>Price</dt>
                <dd>{priceRange(event.price_min, event.price_max, (event as { currency?: string }).currency)}</dd>
              </div>
              {event.queue && (
                // The sale is behind a waiting room (API.md "Waiting room"): when to come.
                <div>
                  <dt>Sale</dt>
                  <dd>
                    Waiting room from <time dateTime={event.queue.opens_at}>{formatDate(event.queue.opens_at)}</time>, on sale at{' '}
                    <time dateTime={event.queue.on_sale_at}>{formatDate(event.queue.on_sale_at)}</time>
                  </dd>
                </div>
              )}
              <div>
                <dt>Seats left</dt>
                <dd>
                  {formatCount(event.seats_available)} of {formatCount(event.seats_total)}
                </dd>
              </div>
            </dl>
            <Link className="button button--primary" to={`/events/${event.id}`} aria-label={`Choose seats for ${event.name}`}>
              Choose seats
            </Link>
          </li>
        ))}
      </ul>
      <ShowMore list={events} what="events" />
    </section>
  );
}
