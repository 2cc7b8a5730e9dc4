import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { SeatsReceipt } from '../../../components/SeatsReceipt';
import { formatDate, formatPrice } from '../../../lib/format';
import { queryKeys } from '../../../lib/query-keys';
import { fetchBooking } from '../api/console';
import { refusalText } from '../model/refusals';

const PAYMENT: Record<string, string> = { cash: 'Cash', card: 'Card', comp: 'Complimentary' };

/** A box-office sale's receipt (`/console/receipt/:id`), laid out to print: the page's chrome is left off on paper. */
export function ReceiptPage() {
  const id = Number(useParams().reservationId);
  const story = useQuery({ queryKey: queryKeys.staffBooking(id), queryFn: () => fetchBooking(id), enabled: Number.isInteger(id) && id > 0 });
  if (story.isPending) return <p className="loading">Loading the receipt…</p>;
  if (!story.data) return <p className="notice notice--error">{refusalText(story.error)}</p>;
  const booking = story.data;
  const { buyer } = booking;
  const money = (amount: string) => formatPrice(amount, booking.currency);
  return (
    <article className="receipt" data-testid="receipt">
      <h1>Receipt</h1>
      <p className="receipt__event">
        <strong>{booking.event.name}</strong>
      </p>
      <dl className="receipt__facts">
        <dt>Booking</dt>
        <dd data-testid="receipt-number">No. {booking.id}</dd>
        <dt>Date</dt>
        <dd>{formatDate(booking.created_at)}</dd>
        {(buyer.name || buyer.email || buyer.username) && (
          <>
            <dt>Buyer</dt>
            <dd>{[buyer.name, buyer.email || buyer.username].filter(Boolean).join(', ')}</dd>
          </>
        )}
        {booking.payment && (
          <>
            <dt>Paid</dt>
            <dd>
              {PAYMENT[booking.payment] ?? booking.payment}, {money(booking.amount_taken ?? '0.00')}
            </dd>
          </>
        )}
        {booking.status === 'cancelled' && (
          <>
            <dt>Status</dt>
            <dd>Cancelled</dd>
          </>
        )}
      </dl>
      <SeatsReceipt seats={booking.seats} total={booking.total_price} money={money} totalTestId="receipt-total" />
      <p className="receipt__actions">
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          Print
        </button>{' '}
        <Link to={`/console/${booking.event.id}`}>Back to the console</Link>
      </p>
    </article>
  );
}
