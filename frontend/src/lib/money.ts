/**
 * Money arrives as decimal strings with two places ("50.00"). All arithmetic is done in
 * integer cents so that totals are exact; floats never touch a price.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

export function toCents(amount: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new Error(`Not a money amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ''] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign ? -cents : cents;
}

export function formatCents(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`Cents must be an integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return `${sign}${whole}.${fraction}`;
}

export function sumPrices(prices: Iterable<string>): string {
  let total = 0;
  for (const price of prices) total += toCents(price);
  return formatCents(total);
}

/** The smaller of two amounts. */
export function lesserOf(a: string, b: string): string {
  return formatCents(Math.min(toCents(a), toCents(b)));
}
