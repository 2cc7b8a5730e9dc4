import { DEFAULT_CURRENCY, formatPrice } from '../../../lib/format';
import { useEvent } from '../../events';

/** Amounts in the event's currency (its detail, read once per event and cached), euros until it is read. */
export function useEventMoney(eventId: number): (amount: string) => string {
  const currency = useEvent(eventId).data?.currency ?? DEFAULT_CURRENCY;
  return (amount) => formatPrice(amount, currency);
}
