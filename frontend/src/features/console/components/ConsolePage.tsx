import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Toast, type ToastMessage } from '../../../components/Toast';
import { errorMessage } from '../../../lib/error-messages';
import { DEFAULT_CURRENCY, formatDate, formatPrice } from '../../../lib/format';
import { RequireAuth, useMe } from '../../auth';
import { DoorCounts, useDoorCounts } from '../../door';
import { useEvent } from '../../events';
import { ConnectionStatus, useFeedStatus, useLiveFeed, useQueueFeed } from '../../live';
import { EventMap, SeatOverlay, buildLegend, useSeatMap, type SeatPick } from '../../seat-map';
import { useConsoleActions } from '../hooks/useConsoleActions';
import { useLiveCounts, useSaleFigures } from '../hooks/useSaleFigures';
import { consoleAbilities, consolePermissions, type ConsoleAbilities } from '../model/abilities';
import { refusalText } from '../model/refusals';
import { pickBox, pickSeat, pickSection, type Selection } from '../model/selection';
import { BoxOfficeForm } from './BoxOfficeForm';
import { Bookings, type ReseatFrom } from './Bookings';
import { ExportLinks } from './ExportLinks';
import { LimitsForm } from './LimitsForm';
import { OffSaleForms, type Told } from './OffSaleForms';
import { SaleCountsTables, SaleFiguresBar } from './SalePanel';
import { SelectionPanel } from './SelectionPanel';
import { StaffOnly } from './StaffOnly';

/** A console page: logged in (else the login form, back here after), and the event's staff only (with no event: staff of any). */
export function StaffRoute({ eventId, children }: { eventId?: number; children: (abilities: ConsoleAbilities) => ReactNode }) {
  const me = useMe();
  const permissions = consolePermissions(me.data, eventId);
  return (
    <RequireAuth>
      <StaffOnly permissions={permissions}>{children(consoleAbilities(permissions))}</StaffOnly>
    </RequireAuth>
  );
}

/** `/console/:eventId`: the organiser's console of one event. */
export function ConsolePage() {
  const id = Number(useParams().eventId);
  if (!Number.isInteger(id) || id <= 0) return <p className="notice notice--error">There is no such event.</p>;
  return <StaffRoute eventId={id}>{(abilities) => <Console key={id} eventId={id} abilities={abilities} />}</StaffRoute>;
}

const CLICK_HELP = 'Click a seat to select it, Shift-click for its row, drag a box with the mouse to take the seats in it.';

/**
 * The sale, live, on the buyers' own socket and frames: the map with the console's marks, the
 * counts from the same store (their own components re-render with each frame; this one does
 * not), the server's figures; what is selected and what the person's role may do with it; the
 * bookings.
 */
function Console({ eventId, abilities }: { eventId: number; abilities: ConsoleAbilities }) {
  const event = useEvent(eventId);
  const currency = event.data?.currency ?? DEFAULT_CURRENCY;
  const money = useCallback((amount: string) => formatPrice(amount, currency), [currency]);
  const map = useSeatMap(eventId, true);
  // The socket says whose it is (`auth`) as the buyer's page does: staff watch a queued sale without a turn.
  const door = useDoorCounts(eventId);
  const feed = useLiveFeed(eventId, map.store, map.arrivedAt, { console: true, onDoor: door.onDoor });
  const status = useFeedStatus(feed);
  const queue = useQueueFeed(feed);
  const [overlay] = useState(() => new SeatOverlay());
  const { sale } = useSaleFigures(eventId, map.store, overlay, map.arrivedAt !== null);
  const counts = useLiveCounts(map.store, overlay);
  const actions = useConsoleActions(eventId);
  const legend = useMemo(() => buildLegend(map.plan?.categories ?? event.data?.categories), [map.plan, event.data]);

  const [selection, setSelection] = useState<Selection>([]);
  useEffect(() => overlay.setSelected(selection), [overlay, selection]);
  const [reseatFrom, setReseatFrom] = useState<ReseatFrom | null>(null);
  const [notice, setNotice] = useState<ToastMessage | null>(null);
  const tell: Told = useCallback((tone, text) => setNotice({ tone, text }), []);
  const clear = useCallback(() => setSelection([]), []);
  const dismiss = useCallback(() => setNotice(null), []);

  // Shown once the store holds the seats (as the buyer's page does), so nothing is drawn or counted empty.
  const layout = map.isPending ? null : map.layout;
  const { reseat } = actions;
  const onSeat = useCallback(
    (id: number, pick?: SeatPick) => {
      if (reseatFrom) {
        reseat.mutate(
          { reservationId: reseatFrom.reservationId, moves: [[reseatFrom.seatId, id]], reason: '' },
          {
            onSuccess: ({ difference }) => {
              const to = map.store.label(id) ?? `#${id}`;
              tell('ok', `Moved ${reseatFrom.label} to ${to}${difference !== '0.00' ? ` (difference ${money(difference)})` : ''}.`);
              setReseatFrom(null);
            },
            onError: (error) => tell('error', refusalText(error)),
          },
        );
        return;
      }
      if (layout) setSelection((before) => pickSeat(before, id, pick?.shift ?? false, layout));
    },
    [reseatFrom, reseat, layout, map.store, money, tell],
  );
  const onBox = useCallback((ids: number[], pick: SeatPick) => setSelection((before) => pickBox(before, ids, pick.shift)), []);

  const header = (
    <header className="event-header console__header">
      <h1>{event.data ? `${event.data.name}: the console` : 'The console'}</h1>
      {event.data && (
        <p className="muted">
          <time dateTime={event.data.starts_at}>{formatDate(event.data.starts_at)}</time>
          {event.data.venue && ` · ${event.data.venue}`} · <Link to={`/events/${eventId}`}>The buyers' page</Link>
        </p>
      )}
    </header>
  );

  return (
    <div className="console" data-testid="console">
      {header}
      <ConnectionStatus status={status} onRetry={() => feed.reconnect()} />
      <SaleFiguresBar live={counts} figures={sale.data} money={money} queue={queue.frame} />
      <DoorCounts gates={door.gates} />
      {map.isPending && <p className="loading">Loading seats…</p>}
      {map.error !== null && <p className="notice notice--error">{errorMessage(map.error)}</p>}
      {layout && (
        <div className="console__body">
          <div className="console__map">
            {reseatFrom && (
              <p className="notice console__reseat" role="status">
                Click a free seat on the map to move {reseatFrom.label} there.{' '}
                <button type="button" className="button button--small" onClick={() => setReseatFrom(null)}>
                  Cancel
                </button>
              </p>
            )}
            <EventMap
              map={map}
              overlay={overlay}
              categories={legend}
              money={money}
              venueName={event.data?.venue}
              onSeat={onSeat}
              onBox={onBox}
              help={reseatFrom ? `Click the seat ${reseatFrom.label} moves to.` : CLICK_HELP}
            />
          </div>
          <div className="console__side">
            <SelectionPanel
              selection={selection}
              store={map.store}
              layout={layout}
              money={money}
              onPickSection={(section, row) => setSelection((before) => pickSection(before, layout, section, row))}
              onClear={clear}
            />
            {abilities.keep && <OffSaleForms selection={selection} actions={actions} tell={tell} onDone={clear} />}
            {abilities.sell && <BoxOfficeForm selection={selection} store={map.store} money={money} sell={actions.sell} tell={tell} />}
          </div>
        </div>
      )}
      <div className="console__lower">
        <SaleCountsTables live={counts} categories={legend} money={money} />
        <Bookings
          eventId={eventId}
          money={money}
          mayChange={abilities.changeBookings}
          maySettle={abilities.sell}
          actions={actions}
          tell={tell}
          reseatFrom={reseatFrom}
          onReseatFrom={setReseatFrom}
        />
        <LimitsForm eventId={eventId} mayChange={abilities.limits} limit={actions.limit} tell={tell} />
        {abilities.exports && <ExportLinks eventId={eventId} />}
      </div>
      <Toast message={notice} onDismiss={dismiss} />
    </div>
  );
}
