/** A booking's seats as a receipt lists them (section, row, seat, price) with the total: the
 * buyer's confirmation page and the box office's printed receipt. */
export interface ReceiptSeat {
  id: number;
  section: string;
  row: string;
  label: string;
  price: string;
}

export function SeatsReceipt({
  seats,
  total,
  money,
  totalTestId,
}: {
  seats: readonly ReceiptSeat[];
  total: string;
  money: (amount: string) => string;
  totalTestId: string;
}) {
  return (
    <table className="receipt__seats" aria-label="Seats">
      <thead>
        <tr>
          <th scope="col">Section</th>
          <th scope="col">Row</th>
          <th scope="col">Seat</th>
          <th scope="col">Price</th>
        </tr>
      </thead>
      <tbody>
        {seats.map((seat) => (
          <tr key={seat.id}>
            <td>{seat.section}</td>
            <td>{seat.row}</td>
            <td>{seat.label}</td>
            <td>{money(seat.price)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td data-testid={totalTestId}>{money(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
