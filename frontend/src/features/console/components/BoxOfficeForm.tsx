import { useId, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { countOf } from '../../../lib/format';
import { sumPrices } from '../../../lib/money';
import type { MoneyText, SeatStore } from '../../seat-map';
import type { ConsoleActions } from '../hooks/useConsoleActions';
import { refusalText } from '../model/refusals';
import type { Selection } from '../model/selection';
import type { Told } from './OffSaleForms';

type Payment = 'cash' | 'card' | 'comp';
const PAYMENTS: [Payment, string][] = [
  ['cash', 'Cash'],
  ['card', 'Card'],
  ['comp', 'Comp (free)'],
];

interface BoxOfficeFormProps {
  selection: Selection;
  store: SeatStore;
  money: MoneyText;
  sell: ConsoleActions['sell'];
  tell: Told;
}

/**
 * Sell the selected seats to someone at the door: a name or an email if they give one, how they
 * paid and what was taken (the seats' total unless changed; a comp takes nothing). One request;
 * then the receipt, to print. A seat a buyer clicked at the same moment goes to one of them only.
 */
export function BoxOfficeForm({ selection, store, money, sell, tell }: BoxOfficeFormProps) {
  const ids = useId();
  const navigate = useNavigate();
  const [payment, setPayment] = useState<Payment>('cash');
  const [amount, setAmount] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const total = sumPrices(selection.flatMap((id) => store.getSeat(id)?.price ?? []));
  const taken = payment === 'comp' ? '0.00' : amount.trim() || total;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    sell.mutate(
      { seat_ids: [...selection], payment, amount_taken: taken, buyer_name: name.trim(), buyer_email: email.trim() },
      {
        onSuccess: ({ reservation }) => navigate(`/console/receipt/${reservation.id}`),
        onError: (error) => tell('error', refusalText(error)),
      },
    );
  };
  return (
    <section className="console-panel" aria-labelledby={`${ids}-title`} data-testid="box-office">
      <h2 id={`${ids}-title`}>Box office</h2>
      <form onSubmit={submit} className="console-form">
        <fieldset>
          <legend>Payment</legend>
          {PAYMENTS.map(([value, title]) => (
            <label key={value}>
              <input type="radio" name={`${ids}-payment`} checked={payment === value} onChange={() => setPayment(value)} /> {title}
            </label>
          ))}
        </fieldset>
        <label>
          Amount taken{' '}
          <input
            inputMode="decimal"
            pattern="\d+(\.\d{1,2})?"
            value={payment === 'comp' ? '0.00' : amount}
            placeholder={total}
            disabled={payment === 'comp'}
            onChange={(event) => setAmount(event.target.value)}
          />
        </label>
        <label>
          Name (optional) <input value={name} maxLength={200} autoComplete="off" onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Email (optional) <input type="email" value={email} autoComplete="off" onChange={(event) => setEmail(event.target.value)} />
        </label>
        <button type="submit" className="button button--primary" disabled={selection.length === 0 || sell.isPending}>
          Sell {countOf(selection.length, 'seat')} for {money(taken)}
        </button>
      </form>
    </section>
  );
}
