const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateFormat.format(ms);
}

/** Null for an event with no seats on sale (the API gives no prices then): nothing is shown. */
export function priceRange(min: string | null, max: string | null): string | null {
  return min === max ? min : `${min} – ${max}`;
}
