import { useParams } from 'react-router';
import { useMe } from '../features/auth';
import { formatDate, priceRange, useEvent, type EventDetail } from '../features/events';
import { SeatSelectorPage } from './SeatSelector';

/** Composes the event's header (events feature) with the live map (seat-map feature). */
export function EventPage() {
  const { eventId } = useParams();
  const event = useEvent(Number(eventId));
  const me = useMe();
  // `currency` and `hold_limit` are being added to the event detail (issue 23): read them when
  // the server sends them, the seat selector's defaults otherwise.
  const detail = event.data as (EventDetail & { currency?: string | null; hold_limit?: number | null }) | undefined;
  const currency = detail?.currency ?? undefined;
  const header = (
    <header className="event-header">
      <h1>{event.data?.name ?? (event.isError ? 'Event' : 'Loading…')}</h1>
      {event.data && (
        <p className="muted">
          <time dateTime={event.data.starts_at}>{formatDate(event.data.starts_at)}</time> · {event.data.venue} ·{' '}
          {priceRange(event.data.price_min, event.data.price_max, currency)}
        </p>
      )}
      {event.data?.description && <p>{event.data.description}</p>}
    </header>
  );
  return (
    <SeatSelectorPage
      loggedIn={Boolean(me.data)}
      header={header}
      categories={event.data?.categories}
      venueName={event.data?.venue}
      currency={currency}
      holdLimit={detail?.hold_limit ?? undefined}
    />
  );
}
