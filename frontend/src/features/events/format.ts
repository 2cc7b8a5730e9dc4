import { formatPrice } from '../../lib/format';

/**
 * "€50.00 – €120.00" in the event's currency; null for an event with no seats on sale (the API
 * gives no prices then): nothing is shown.
 */
export function priceRange(min: string | null, max: string | null, currency?: string): string | null {
  if (min === null || max === null) return null;
  return min === max ? formatPrice(min, currency) : `${formatPrice(min, currency)} – ${formatPrice(max, currency)}`;
}
