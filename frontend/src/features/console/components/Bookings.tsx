import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { countOf, formatDate } from '../../../lib/format';
import { lesserOf, sumPrices } from '../../../lib/money';
import { usePagedList } from '../../../lib/paged-list';
import { queryKeys } from '../../../lib/query-keys';
import type { MoneyText } from '../../seat-map';
import { bookingsPath, fetchBooking, type Booking, type BookingStory } from '../api/console';
import type { ConsoleActions } from '../hooks/useConsoleActions';
import { refusalText } from '../model/refusals';
import type { Told } from './OffSaleForms';

/** A booking's seat picked to move: the next seat clicked on the map is where it goes. */
export interface ReseatFrom {
  reservationId: number;
  seatId: number;
  label: string;
}

const SEARCH_PAUSE_MS = 300;

function buyerOf(booking: Booking): string {
  const { username, name, email } = booking.buyer;
  return [name, username, email].filter(Boolean).join(' · ') || 'Walk-in';
}

interface BookingsProps {
  eventId: number;
  money: MoneyText;
  /** May reseat and refund (`change_bookings`). */
  mayChange: boolean;
  /** May settle an order paid at the venue (`sell_at_box_office`). */
  maySettle: boolean;
  actions: Pick<ConsoleActions, 'refund' | 'settle'>;
  tell: Told;
  /** Picks a booking's seat to move (null: none); the map's next click says where. */
  onReseatFrom: (from: ReseatFrom | null) => void;
  reseatFrom: ReseatFrom | null;
}

/** The event's bookings, found by a buyer's name, email or username, a seat, or a number; each opens its story. */
export function Bookings(props: BookingsProps) {
  const { eventId, money } = props;
  const ids = useId();
  const [search, setSearch] = useState('');
  // Asked once typing pauses, not at every key.
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTyped(search.trim()), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search]);
  const list = usePagedList<Booking>(queryKeys.staffBookings(eventId, typed), bookingsPath(eventId, typed));
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section className="console-panel console-bookings" aria-labelledby={`${ids}-title`} data-testid="bookings">
      <h2 id={`${ids}-title`}>Bookings</h2>
      <label>
        Search <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="name, email, seat or number" />
      </label>
      {list.isPending && <p className="loading">Loading bookings…</p>}
      {list.error && <p className="notice notice--error">{refusalText(list.error)}</p>}
      {list.items && list.items.length === 0 && <p className="hint">No booking found.</p>}
      <ul className="booking-list">
        {list.items?.map((booking) => (
          <li key={booking.id}>
            <button type="button" className="booking-list__item" aria-expanded={open === booking.id} onClick={() => setOpen(open === booking.id ? null : booking.id)}>
              <strong>No. {booking.id}</strong> {buyerOf(booking)} · {booking.seats.map((s) => s.label).join(', ') || 'no seats'} · {money(booking.total_price)}
              {booking.status !== 'confirmed' && ` · ${booking.status.replace('_', ' ')}`}
              {booking.channel === 'box_office' && ' · box office'}
            </button>
            {open === booking.id && <BookingDetail {...props} reservationId={booking.id} />}
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" className="button button--small" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          More bookings
        </button>
      )}
    </section>
  );
}

type DetailProps = Omit<BookingsProps, 'eventId'> & { reservationId: number };

function BookingDetail({ reservationId, money, mayChange, maySettle, actions, tell, onReseatFrom, reseatFrom }: DetailProps) {
  const story = useQuery({ queryKey: queryKeys.staffBooking(reservationId), queryFn: () => fetchBooking(reservationId) });
  if (story.isPending) return <p className="loading">Loading…</p>;
  if (story.error || !story.data) return <p className="notice notice--error">{refusalText(story.error)}</p>;
  const booking = story.data;
  const live = booking.status === 'confirmed' && booking.seats.length > 0;
  return (
    <div className="booking-detail" data-testid="booking-detail">
      <p>
        {booking.channel === 'box_office' ? 'Sold at the box office' : 'Booked online'} on {formatDate(booking.created_at)} ·{' '}
        {booking.status}
        {booking.payment && ` · ${booking.payment}, ${money(booking.amount_taken ?? '0.00')} taken`}
        {booking.refunded !== '0.00' && ` · ${money(booking.refunded)} refunded`} · <Link to={`/console/receipt/${booking.id}`}>Receipt</Link>
      </p>
      {live && mayChange && (
        <fieldset className="booking-detail__reseat">
          <legend>Reseat: pick a seat, then a free seat on the map</legend>
          {booking.seats.map((seat) => {
            const picked = reseatFrom?.reservationId === booking.id && reseatFrom.seatId === seat.id;
            return (
              <button
                key={seat.id}
                type="button"
                className="button button--small"
                aria-pressed={picked}
                onClick={() => onReseatFrom(picked ? null : { reservationId: booking.id, seatId: seat.id, label: seat.label })}
              >
                Move {seat.label}
              </button>
            );
          })}
        </fieldset>
      )}
      {booking.status === 'awaiting_payment' && maySettle && <SettleForm booking={booking} money={money} settle={actions.settle} tell={tell} />}
      {/* Keyed by the seats it holds: after a reseat or a refund the form starts from the seats the booking has now. */}
      {live && mayChange && <RefundForm key={booking.seats.map((s) => s.id).join()} booking={booking} money={money} refund={actions.refund} tell={tell} />}
      <History booking={booking} />
    </div>
  );
}

/** "Mark paid": staff who took an order's money at the venue say how much, and their receipt. */
function SettleForm({ booking, money, settle, tell }: { booking: BookingStory; money: MoneyText; settle: ConsoleActions['settle']; tell: Told }) {
  const [amount, setAmount] = useState(booking.total_price);
  const [reference, setReference] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    settle.mutate(
      { reservationId: booking.id, amount: amount.trim(), reference: reference.trim() },
      {
        onSuccess: () => tell('ok', `Order #${booking.id} is paid (${money(amount.trim())}): its seats are sold.`),
        onError: (error) => tell('error', refusalText(error)),
      },
    );
  };
  return (
    <form className="console-form booking-detail__settle" onSubmit={submit}>
      <fieldset>
        <legend>Awaiting payment{booking.pay_by ? ` until ${formatDate(booking.pay_by)}` : ''}</legend>
        <label>
          Amount taken <input inputMode="decimal" pattern="\d+(\.\d{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} />
        </label>
        <label>
          Receipt or reference <input value={reference} maxLength={200} onChange={(event) => setReference(event.target.value)} />
        </label>
      </fieldset>
      <button type="submit" className="button button--primary" disabled={settle.isPending}>
        Mark paid
      </button>
    </form>
  );
}

function RefundForm({ booking, money, refund, tell }: { booking: BookingStory; money: MoneyText; refund: ConsoleActions['refund']; tell: Told }) {
  const ids = useId();
  const [chosen, setChosen] = useState<ReadonlySet<number>>(() => new Set(booking.seats.map((s) => s.id)));
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const seats = booking.seats.filter((s) => chosen.has(s.id));
  // The seats' prices, or less where the booking took less (a comp, a reseat to dearer seats).
  const value = lesserOf(sumPrices(seats.map((s) => s.price)), booking.refundable);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const all = seats.length === booking.seats.length;
    refund.mutate(
      { reservationId: booking.id, seat_ids: all ? null : seats.map((s) => s.id), refunded: amount.trim() || value, reason: reason.trim() },
      {
        onSuccess: () => tell('ok', `Refunded ${money(amount.trim() || value)} for ${seats.map((s) => s.label).join(', ')}.`),
        onError: (error) => tell('error', refusalText(error)),
      },
    );
  };
  return (
    <form className="console-form booking-detail__refund" onSubmit={submit}>
      <fieldset>
        <legend>Refund and cancel</legend>
        {booking.seats.map((seat) => (
          <label key={seat.id}>
            <input
              type="checkbox"
              checked={chosen.has(seat.id)}
              onChange={(event) => {
                const next = new Set(chosen);
                if (event.target.checked) next.add(seat.id);
                else next.delete(seat.id);
                setChosen(next);
              }}
            />{' '}
            {seat.label} ({money(seat.price)})
          </label>
        ))}
      </fieldset>
      <label>
        Amount refunded <input inputMode="decimal" pattern="\d+(\.\d{1,2})?" value={amount} placeholder={value} onChange={(event) => setAmount(event.target.value)} />
      </label>
      <label htmlFor={`${ids}-reason`}>Reason</label>
      <input id={`${ids}-reason`} value={reason} maxLength={200} required onChange={(event) => setReason(event.target.value)} />
      <button type="submit" className="button" disabled={seats.length === 0 || refund.isPending}>
        Refund {countOf(seats.length, 'seat')}
      </button>
    </form>
  );
}

function History({ booking }: { booking: BookingStory }) {
  if (booking.history.length === 0) return null;
  return (
    <table className="booking-history">
      <caption>History, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Seat</th>
          <th scope="col">Change</th>
          <th scope="col">Through</th>
          <th scope="col">Staff</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {booking.history.map((change, i) => (
          <tr key={i}>
            <td>{formatDate(change.at)}</td>
            <td>{change.seat}</td>
            <td>
              {change.from} → {change.to}
            </td>
            <td>{change.via}</td>
            <td>{change.staff ?? ''}</td>
            <td>{change.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
