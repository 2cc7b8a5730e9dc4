/**
 * Prices and counts as the buyer reads them, in the browser's language: "€50.00", "19,671".
 * Amounts arrive as two-place decimal strings; they become a number only here, for display.
 */
import { toCents } from './money';

/** The events API names each event's currency (ISO 4217); older answers do not: this one then. */
export const DEFAULT_CURRENCY = 'EUR';

const priceFormats = new Map<string, Intl.NumberFormat | null>();

function priceFormat(currency: string, locale: string | undefined): Intl.NumberFormat | null {
  const key = `${locale ?? ''}|${currency}`;
  if (!priceFormats.has(key)) {
    try {
      priceFormats.set(key, new Intl.NumberFormat(locale, { style: 'currency', currency }));
    } catch {
      priceFormats.set(key, null); // not a currency code Intl knows
    }
  }
  return priceFormats.get(key)!;
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
  const key = locale ?? '';
  let format = countFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    countFormats.set(key, format);
  }
  return format.format(count);
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
  const key = locale ?? '';
  let format = clockFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    clockFormats.set(key, format);
  }
  return format.format(at);
}
