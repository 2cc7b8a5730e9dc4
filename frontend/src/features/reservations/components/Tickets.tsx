import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { queryKeys } from '../../../lib/query-keys';
import { fetchTickets } from '../api/reservations';
import { seatWhere } from '../model/booking';

/** A confirmed booking's tickets: a QR code a seat, shown at the door (API.md "Tickets"). */
export function Tickets({ reservationId }: { reservationId: number }) {
  const tickets = useQuery({ queryKey: queryKeys.tickets(reservationId), queryFn: () => fetchTickets(reservationId) });
  const title = useId(); // My reservations may show several lists at once
  if (!tickets.data?.tickets.length) return null;
  return (
    <section className="tickets" aria-labelledby={title} data-testid="tickets">
      <h2 id={title}>Your tickets</h2>
      <p>Show a seat&apos;s code at the door; a screenshot works offline.</p>
      <ul className="tickets__list">
        {tickets.data.tickets.map((t) => (
          <li key={t.ticket} className="ticket">
            <img src={t.qr} alt={`Ticket for ${seatWhere(t.seat)}`} width={200} height={200} />
            <p>{seatWhere(t.seat)}</p>
            <p className="ticket__code muted" data-testid="ticket-code">
              {t.code}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
