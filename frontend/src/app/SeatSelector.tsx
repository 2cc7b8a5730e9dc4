import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { FindSeats } from '../features/find-seats';
import { Basket, HoldWarning, useSeatActions, type Outcome } from '../features/holds';
import { ConnectionStatus, useFeedStatus, useLiveFeed } from '../features/live';
import {
  Legend,
  SeatMap,
  VenueMap,
  buildLegend,
  buildVenue,
  chooseMapKind,
  gridText,
  indexCategories,
  useRevealInScroller,
  useSeatMap,
  type ApiCategory,
  type RevealRequest,
  type SeatRefusal,
} from '../features/seat-map';
import { Toast, type ToastMessage } from '../components/Toast';
import { errorMessage } from '../lib/error-messages';

export interface SeatSelectorProps {
  /** Whether someone is logged in (from the auth feature, passed in by the app). */
  loggedIn: boolean;
  /** The event's header (name, date, venue), rendered by the app from the events feature. */
  header?: ReactNode;
  /** The event's price categories (`GET /api/events/{id}/` → `categories`), passed in by the app. */
  categories?: readonly ApiCategory[];
  /** The venue's name, for the map's accessible name. */
  venueName?: string;
}

/** The page at /events/:eventId. Keyed by event id, so each event gets its own live store. */
export function SeatSelectorPage(props: SeatSelectorProps) {
  const { eventId } = useParams();
  const id = Number(eventId);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <p className="notice notice--error" role="alert">
        There is no such event. <Link to="/">See all events</Link>.
      </p>
    );
  }
  return <SeatSelector key={id} eventId={id} {...props} />;
}

export function SeatSelector({ eventId, loggedIn, header, categories, venueName }: SeatSelectorProps & { eventId: number }) {
  const location = useLocation();
  const [notice, setNotice] = useState<Outcome | null>(null);
  const [reserving, setReserving] = useState(false);
  const onLapsed = useCallback(
    (labels: string[]) =>
      setNotice({ kind: 'error', text: `Your hold on ${labels.join(', ')} ran out. Pick the seat again if it is still free.` }),
    [],
  );
  const map = useSeatMap(eventId, loggedIn, onLapsed);
  const feed = useLiveFeed(eventId, map.store, map.arrivedAt);
  const status = useFeedStatus(feed);
  // A refused click is also told in its seat's tooltip: the answer names the seat last clicked.
  const clicked = useRef<number | null>(null);
  const [refusal, setRefusal] = useState<SeatRefusal | null>(null);
  const report = useCallback((outcome: Outcome) => {
    setNotice(outcome);
    const refused = outcome.kind === 'error' || outcome.kind === 'login';
    setRefusal(refused && clicked.current !== null ? { seatId: clicked.current, text: outcome.text } : null);
  }, []);
  const dismissNotice = useCallback(() => {
    setNotice(null);
    setRefusal(null);
  }, []);
  const actions = useSeatActions(eventId, map.store, loggedIn, report);
  const { toggle } = actions;
  const onSeat = useCallback(
    (seatId: number) => {
      clicked.current = seatId;
      toggle(seatId);
    },
    [toggle],
  );
  // The map's categories match its seats' (same version); the event's are there first only
  // if the map is slow.
  const legend = useMemo(() => buildLegend(map.plan?.categories ?? categories), [map.plan, categories]);
  const gridStyle = useMemo(() => gridText(indexCategories(legend)), [legend]);
  const sections = useMemo(
    () => (map.layout?.sections ?? []).map((section) => section.name).filter((name) => name !== ''),
    [map.layout],
  );
  const room = map.plan?.room ?? null;
  const kind = chooseMapKind(room, map.plan?.seats ?? []);
  const venue = useMemo(() => (kind === 'venue' && room ? buildVenue(room) : null), [kind, room]);
  const layout = map.isPending ? null : map.layout;
  // The block Find seats holds is brought into view on whichever map is shown.
  const [reveal, setReveal] = useState<RevealRequest | null>(null);
  const onHeld = useCallback((seatIds: number[]) => setReveal({ seatIds }), []);
  const gridRef = useRef<HTMLDivElement>(null);
  useRevealInScroller(gridRef, reveal);

  const onReserve = async () => {
    setReserving(true);
    try {
      await actions.reserve();
    } finally {
      setReserving(false);
    }
  };

  const loginLink = `/login?next=${encodeURIComponent(location.pathname)}`;
  const toast = useMemo((): ToastMessage | null => {
    if (!notice) return null;
    const links =
      notice.kind === 'login' ? (
        <Link to={loginLink}>Log in</Link>
      ) : notice.reservationId !== undefined ? (
        <Link to="/reservations">See my reservations</Link>
      ) : undefined;
    return { tone: notice.kind, text: notice.text, actions: links };
  }, [notice, loginLink]);

  return (
    <div className="seat-selector">
      {header}
      <ConnectionStatus status={status} onRetry={() => feed.reconnect()} />
      {!loggedIn && (
        <p className="hint">
          Anyone can watch the map. <Link to={loginLink}>Log in</Link> to hold and book seats.
        </p>
      )}
      <HoldWarning store={map.store} onExtend={actions.extend} />
      {!venue && <Legend />}
      {map.isPending && <p className="loading">Loading seats…</p>}
      {map.error !== null && (
        <p className="notice notice--error" role="alert">
          {errorMessage(map.error)}{' '}
          <button type="button" className="button button--small" onClick={map.refetch}>
            Try again
          </button>
        </p>
      )}
      {layout && (
        <FindSeats
          eventId={eventId}
          store={map.store}
          focus={map.focus}
          loggedIn={loggedIn}
          categories={legend}
          sections={sections}
          loginLink={loginLink}
          onHeld={onHeld}
        />
      )}
      {layout && (
        <div className="seat-selector__body" data-map-kind={kind}>
          {venue ? (
            <VenueMap
              venue={venue}
              layout={layout}
              store={map.store}
              focus={map.focus}
              categories={legend}
              onSeat={onSeat}
              venueName={venueName}
              reveal={reveal}
              refusal={refusal}
            />
          ) : (
            <div ref={gridRef} className="seat-map__scroll" aria-label="Seat map" role="region" tabIndex={-1}>
              <SeatMap layout={layout} store={map.store} focus={map.focus} onSeat={actions.toggle} text={gridStyle} />
            </div>
          )}
          <Basket store={map.store} onRelease={actions.toggle} onReserve={onReserve} reserving={reserving} />
        </div>
      )}
      <Toast message={toast} onDismiss={dismissNotice} />
    </div>
  );
}
