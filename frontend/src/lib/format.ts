/**
 * Prices and counts as the buyer reads them, in the browser's language: "€50.00", "19,671".
 * Amounts arrive as two-place decimal strings; they become a number only here, for display.
 */
import { toCents } from './money';

/** The events API names each event's currency (ISO 4217); older answers do not: this one then. */
export const DEFAULT_CURRENCY = 'EUR';

/** The formatter made once per key (a locale, a currency): making one costs far more than using it. */
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key)!;
}

const priceFormats = new Map<string, Intl.NumberFormat | null>();

function priceFormat(currency: string, locale: string | undefined): Intl.NumberFormat | null {
  return cached(priceFormats, `${locale ?? ''}|${currency}`, () => {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      return null; // not a currency code Intl knows
    }
  });
}

/** "€50.00" for ("50.00", "EUR"); "50.00 XYZ" for a code Intl does not know; the text as given if it is no amount. */
export function formatPrice(amount: string, currency: string = DEFAULT_CURRENCY, locale?: string): string {
  let cents: number;
  try {
    cents = toCents(amount);
  } catch {
    return amount;
  }
  const format = priceFormat(currency, locale);
  return format ? format.format(cents / 100) : `${amount} ${currency}`;
}

const countFormats = new Map<string, Intl.NumberFormat>();

/** "19,671" (or "19.671", "19 671": the browser's language). */
export function formatCount(count: number, locale?: string): string {
  return cached(countFormats, locale ?? '', () => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })).format(count);
}

/** "1 seat", "5 seats", "1,200 seats". */
export function countOf(count: number, one: string, many = `${one}s`, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? one : many}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "27 Nov 2026, 20:15" (the browser's language): every date on every page, the buyer's and the console's. */
export function formatDate(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateFormat.format(ms);
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "20:15" (or "08:15 PM": the browser's language) in this machine's time zone: hours and
 * minutes, never seconds, for every clock time the buyer reads.
 */
export function formatClockTime(at: number | Date, locale?: string): string {
  return cached(clockFormats, locale ?? '', () => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })).format(at);
}
