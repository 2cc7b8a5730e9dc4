import { Link, useParams } from 'react-router';
import { useMe } from '../features/auth';
import { consoleAbilities, consolePermissions } from '../features/console';
import { priceRange, useEvent } from '../features/events';
import { formatDate } from '../lib/format';
import { SeatSelectorPage } from './SeatSelector';

/** Composes the event's header (events feature) with the live map (seat-map feature). */
export function EventPage() {
  const { eventId } = useParams();
  const event = useEvent(Number(eventId));
  const me = useMe();
  const currency = event.data?.currency;
  // The event detail's `queue` (API.md "Waiting room"): {opens_at, on_sale_at}, or
  // null without one. Until the detail is read the page does not know, and offers no seat.
  const queued = event.data ? event.data.queue !== null : event.isError ? false : null;
  const header = (
    <header className="event-header">
      <h1>{event.data?.name ?? (event.isError ? 'Event' : 'Loading…')}</h1>
      {event.data && (
        <p className="muted">
          <time dateTime={event.data.starts_at}>{formatDate(event.data.starts_at)}</time>
          {/* An event made without a venue says nothing of it, not "· ·". */}
          {[event.data.venue, priceRange(event.data.price_min, event.data.price_max, currency)]
            .filter(Boolean)
            .map((part) => ` · ${part}`)
            .join('')}
        </p>
      )}
      {event.data?.description && <p>{event.data.description}</p>}
      {consoleAbilities(consolePermissions(me.data, Number(eventId))).watch && (
        <p>
          <Link to={`/console/${eventId}`}>Open this event's console</Link>
        </p>
      )}
    </header>
  );
  return (
    <SeatSelectorPage
      loggedIn={me.isPending ? undefined : Boolean(me.data)}
      header={header}
      categories={event.data?.categories}
      venueName={event.data?.venue}
      currency={currency}
      queued={queued}
    />
  );
}
