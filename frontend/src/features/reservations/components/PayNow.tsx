import { errorMessage } from '../../../lib/error-messages';
import { formatClockTime } from '../../../lib/format';
import type { Reservation } from '../api/reservations';
import { usePayReservation } from '../hooks/useReservations';
import { Alert } from '../../../components/Alert';

/**
 * An order awaiting payment: by when, and "Pay now". A provider with a page of its own
 * (Stripe) is gone to; one paid at the venue says what to do. The order's page follows the
 * outcome live (the account socket: paid, expired).
 */
export function PayNow({ reservation }: { reservation: Reservation }) {
  const pay = usePayReservation();
  const payBy = reservation.pay_by ? formatClockTime(Date.parse(reservation.pay_by)) : null;
  const start = () =>
    pay.mutate(reservation.id, {
      onSuccess: (answer) => {
        if (answer.url) window.location.assign(answer.url);
      },
    });
  return (
    <div className="pay-now" data-testid="pay-now">
      {payBy && (
        <p>
          Pay by <time dateTime={reservation.pay_by ?? undefined}>{payBy}</time> to keep these seats: after that they go back
          on sale.
        </p>
      )}
      <button type="button" className="button button--primary" onClick={start} disabled={pay.isPending}>
        Pay now for #{reservation.id}
      </button>
      {pay.data?.instructions && (
        <p className="notice notice--info" role="status" data-testid="pay-instructions">
          {pay.data.instructions}
        </p>
      )}
      {pay.isError && <Alert>{errorMessage(pay.error)}</Alert>}
    </div>
  );
}
