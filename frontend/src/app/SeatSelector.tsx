import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { FindSeats } from '../features/find-seats';
import {
  Basket,
  BasketBar,
  bookingReachesTheLimit,
  HoldWarning,
  TURN_DONE_AT_THE_LIMIT,
  lapsedText,
  mergeLapse,
  useSeatActions,
  type Lapse,
  type Outcome,
} from '../features/holds';
import { ConnectionStatus, useFeedStatus, useLiveFeed, useQueueFeed } from '../features/live';
import {
  EventMap,
  buildLegend,
  chooseMapKind,
  seatPlaces,
  useHeldSeats,
  useSeatMap,
  type ApiCategory,
  type RevealRequest,
  type SeatRefusal,
  type SeatStore,
} from '../features/seat-map';
import { reservationPath, type BookedState } from '../features/reservations';
import { TurnBar, WaitingRoomScreen, useWaitingRoom } from '../features/waiting-room';
import { Toast, type ToastMessage } from '../components/Toast';
import { errorMessage } from '../lib/error-messages';
import { queryKeys } from '../lib/query-keys';
import { DEFAULT_CURRENCY, formatPrice } from '../lib/format';
import { PHONE_QUERY, useMediaQuery } from '../lib/use-media-query';
import { Alert } from '../components/Alert';

export interface SeatSelectorProps {
  /** Whether someone is logged in (from the auth feature, passed in by the app); undefined while
   * the page is still asking: a seat clicked then is asked for, not refused with "Log in". */
  loggedIn: boolean | undefined;
  /** The event's header (name, date, venue), rendered by the app from the events feature. */
  header?: ReactNode;
  /** The event's price categories (`GET /api/events/{id}/` → `categories`), passed in by the app. */
  categories?: readonly ApiCategory[];
  /** The venue's name, for the map's accessible name. */
  venueName?: string;
  /** The event's currency (ISO 4217, the event detail's `currency`); euros when not given. */
  currency?: string;
  /**
   * Whether the event's sale is behind a waiting room (the event detail's `queue` is not null);
   * null while the event detail is not read yet (the map waits for it, so no seat is offered
   * before the page knows a turn is needed). Absent: no waiting room.
   */
  queued?: boolean | null;
}

/** The page at /events/:eventId. Keyed by event id, so each event gets its own live store. */
export function SeatSelectorPage(props: SeatSelectorProps) {
  const { eventId } = useParams();
  const id = Number(eventId);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <Alert>
        There is no such event. <Link to="/">See all events</Link>.
      </Alert>
    );
  }
  return <SeatSelector key={id} eventId={id} {...props} />;
}

/** Its children only while the buyer holds seats (a turn ended with seats still to book). */
function WhenHolding({ store, children }: { store: SeatStore; children: ReactNode }) {
  const held = useHeldSeats(store);
  return held.length > 0 ? <div className="waiting-room__basket">{children}</div> : null;
}

export function SeatSelector({
  eventId,
  loggedIn: loggedInOrUnknown,
  header,
  categories,
  venueName,
  currency = DEFAULT_CURRENCY,
  queued = false,
}: SeatSelectorProps & { eventId: number }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<Outcome | null>(null);
  const [reserving, setReserving] = useState(false);
  const loggedIn = loggedInOrUnknown === true;
  const map = useSeatMap(eventId, loggedIn);
  const money = useCallback((amount: string) => formatPrice(amount, currency), [currency]);
  // Holds that ran out, told in one message naming every seat (or their number), even when the
  // store finds them lapsed a few ticks apart.
  const lapse = useRef<Lapse | null>(null);
  const store = map.store;
  useEffect(
    () =>
      store.subscribeHoldLost((ids) => {
        lapse.current = mergeLapse(lapse.current, ids, Date.now());
        const seats = lapse.current.ids.flatMap((id) => store.getSeat(id) ?? []);
        setNotice({ kind: 'error', text: lapsedText(seatPlaces(seats), lapse.current.ids.length) });
      }),
    [store],
  );
  const phone = useMediaQuery(PHONE_QUERY);
  const [findOpen, setFindOpen] = useState<boolean | null>(null);
  const feed = useLiveFeed(eventId, map.store, map.arrivedAt);
  const status = useFeedStatus(feed);
  // The waiting room: its state comes with the socket's frames; during the buyer's turn its
  // token goes to the socket (which then sends the seats) and on every seat call.
  const waitingRoom = useWaitingRoom({
    eventId,
    queued: queued === true,
    loggedIn,
    live: useQueueFeed(feed),
    socketUp: status.connection === 'waiting' || status.connection === 'live',
  });
  const turnToken = waitingRoom.on ? (waitingRoom.turn?.token ?? null) : null;
  useEffect(() => feed.setTurn(turnToken), [feed, turnToken]);
  const { turnLost, on: waitingRoomOn } = waitingRoom;
  const queryClient = useQueryClient();
  const waiting = queued === null || !waitingRoom.showMap;
  // A refused click is also told in its seat's tooltip.
  const [refusal, setRefusal] = useState<SeatRefusal | null>(null);
  const report = useCallback(
    (outcome: Outcome) => {
      const refused = outcome.kind === 'error' || outcome.kind === 'login';
      setRefusal(refused && outcome.seatId !== undefined ? { seatId: outcome.seatId, text: outcome.text } : null);
      if (!outcome.turnLost) {
        setNotice(outcome);
        return;
      }
      // The waiting room says what became of the turn (ended, or its pass renewed).
      setNotice(null);
      turnLost(outcome.text, outcome.turnLost);
      // Refused for a turn where the page saw no waiting room: one was put on since it read the event.
      if (!waitingRoomOn) void queryClient.invalidateQueries({ queryKey: queryKeys.event(eventId), exact: true });
    },
    [turnLost, waitingRoomOn, queryClient, eventId],
  );
  const dismissNotice = useCallback(() => {
    setNotice(null);
    setRefusal(null);
  }, []);
  const actions = useSeatActions(eventId, map.store, loggedInOrUnknown, report, money, turnToken);
  const { buyer } = actions;
  const { toggle: onSeat } = actions;
  // The map's categories match its seats' (same version); the event's are there first only
  // if the map is slow.
  const legend = useMemo(() => buildLegend(map.plan?.categories ?? categories), [map.plan, categories]);
  const sections = useMemo(
    () => (map.layout?.sections ?? []).map((section) => section.name).filter((name) => name !== ''),
    [map.layout],
  );
  // The search for wheelchair spaces is offered only where the room has some.
  const wheelchairSpaces = useMemo(() => (map.plan?.seats ?? []).some((seat) => seat.accessible), [map.plan]);
  const kind = chooseMapKind(map.plan?.room, map.plan?.seats ?? []);
  const layout = map.isPending ? null : map.layout;
  // The block Find seats holds is brought into view on whichever map is shown.
  const [reveal, setReveal] = useState<RevealRequest | null>(null);
  const onHeld = useCallback((seatIds: number[]) => setReveal({ seatIds }), []);

  const onReserve = async () => {
    setReserving(true);
    const reachesTheLimit = buyer !== undefined && bookingReachesTheLimit(buyer); // as counted before it
    try {
      const outcome = await actions.reserve();
      // The booking that reaches the purchase limit ended the turn (API.md "Waiting room"):
      // back to the waiting room, told with the booking.
      const turnDone = outcome.kind === 'ok' && turnToken && reachesTheLimit;
      if (turnDone) {
        turnLost(TURN_DONE_AT_THE_LIMIT, 'queue_turn_expired');
        setNotice({ ...outcome, text: `${outcome.text} ${TURN_DONE_AT_THE_LIMIT}` });
      }
      // A booking ends on its confirmation, which says what else the buyer must know.
      if (outcome.kind === 'ok' && outcome.reservationId !== undefined) {
        const state: BookedState = turnDone ? { notice: TURN_DONE_AT_THE_LIMIT } : {};
        navigate(reservationPath(outcome.reservationId), { state });
      }
    } finally {
      setReserving(false);
    }
  };

  const loginLink = `/login?next=${encodeURIComponent(location.pathname)}`;
  const { notice: roomNotice, dismissNotice: dismissRoomNotice } = waitingRoom;
  const toast = useMemo((): ToastMessage | null => {
    if (!notice) return roomNotice;
    const links =
      notice.kind === 'login' ? (
        <Link to={loginLink}>Log in</Link>
      ) : notice.reservationId !== undefined ? (
        <Link to="/reservations">See my reservations</Link>
      ) : undefined;
    return { tone: notice.kind, text: notice.text, actions: links };
  }, [notice, loginLink, roomNotice]);
  const dismissToast = useCallback(() => {
    dismissNotice();
    dismissRoomNotice();
  }, [dismissNotice, dismissRoomNotice]);

  const basketProps = { store: map.store, onReserve, reserving, currency, buyer };
  const basket = (
    <>
      <Basket {...basketProps} onRelease={actions.toggle} holdAgainAt={actions.holdAgainAt} />
      <BasketBar {...basketProps} />
    </>
  );

  if (waiting) {
    return (
      <div className="seat-selector">
        {header}
        <ConnectionStatus status={status} onRetry={() => feed.reconnect()} />
        <HoldWarning store={map.store} onExtend={actions.extend} />
        {queued === null ? (
          <p className="loading">Loading seats…</p>
        ) : (
          <WaitingRoomScreen
            eventId={eventId}
            view={waitingRoom.view}
            position={waitingRoom.position}
            loggedIn={loggedIn}
            loginLink={loginLink}
            loading={waitingRoom.loading}
            error={waitingRoom.error}
            claiming={waitingRoom.claiming}
            emailUnverified={waitingRoom.emailUnverified}
            onJoinAgain={waitingRoom.joinAgain}
          />
        )}
        {/* A turn ended with seats still held: they can still be booked (API.md "Waiting room"). */}
        <WhenHolding store={map.store}>{basket}</WhenHolding>
        <Toast message={toast} onDismiss={dismissToast} />
      </div>
    );
  }

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
      {waitingRoom.turn && <TurnBar turn={waitingRoom.turn} onExtend={waitingRoom.extend} extending={waitingRoom.extending} />}
      {map.isPending && <p className="loading">Loading seats…</p>}
      {map.error !== null && (
        <Alert>
          {errorMessage(map.error)}{' '}
          <button type="button" className="button button--small" onClick={map.refetch}>
            Try again
          </button>
        </Alert>
      )}
      {layout && (
        // On a wide screen Find seats, the key and the basket stand beside the map, which starts
        // near the top of the screen (styles.css); on a narrower one they come in this order.
        <div className="seat-selector__body" data-map-kind={kind}>
          {/* On a phone, folded until the buyer opens it, so the map comes first; always open on a
              wider screen (where styles.css hides the summary). */}
          <details
            className="find-seats-fold"
            open={phone ? (findOpen ?? false) : true}
            onToggle={(event) => setFindOpen(event.currentTarget.open)}
            data-testid="find-seats-fold"
          >
            <summary className="find-seats-fold__summary">Find seats</summary>
            <FindSeats
              eventId={eventId}
              store={map.store}
              focus={map.focus}
              loggedIn={loggedIn}
              categories={legend}
              money={money}
              sections={sections}
              loginLink={loginLink}
              buyer={buyer}
              wheelchairSpaces={wheelchairSpaces}
              onHeld={onHeld}
              turn={turnToken}
              onTurnLost={turnLost}
              holdAgainAt={actions.holdAgainAt}
            />
          </details>
          <EventMap
            map={map}
            categories={legend}
            money={money}
            onSeat={onSeat}
            venueName={venueName}
            reveal={reveal}
            refusal={refusal}
          />
          {basket}
        </div>
      )}
      <Toast message={toast} onDismiss={dismissToast} />
    </div>
  );
}
