/** Price categories (`GET /api/events/{id}/` → `categories`): the map's colours and the legend. */

export interface ApiCategory {
  id: number;
  name: string;
  price: string;
  colour?: string | null;
  seats_total?: number;
  seats_available?: number;
}

export interface CategoryEntry {
  id: number;
  name: string;
  price: string;
  /** `#rrggbb`: the server's colour, or one of ours when it sent none (or an unreadable one). */
  colour: string;
  /** Text that reads on `colour` (black or white, whichever contrasts more). */
  ink: string;
}

/** Distinguishable for the common colour-vision deficiencies (Okabe–Ito, darkened for contrast). */
export const FALLBACK_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#7f7f00', '#000000'];

/** A seat without a category (or with an unknown one) is drawn in this. */
export const NO_CATEGORY_COLOUR = '#6b7280';

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

export function normaliseColour(value: string | null | undefined): string | null {
  if (!value || !HEX.test(value.trim())) return null;
  const v = value.trim().toLowerCase();
  return v.length === 4 ? `#${v[1]}${v[1]}${v[2]}${v[2]}${v[3]}${v[3]}` : v;
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export function inkOn(colour: string): string {
  return contrast(colour, '#000000') >= contrast(colour, '#ffffff') ? '#000000' : '#ffffff';
}

/** The legend: one entry per category, in the server's order, each id once. */
export function buildLegend(categories: readonly ApiCategory[] | null | undefined): CategoryEntry[] {
  const seen = new Set<number>();
  const entries: CategoryEntry[] = [];
  for (const c of categories ?? []) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const colour = normaliseColour(c.colour) ?? FALLBACK_COLOURS[entries.length % FALLBACK_COLOURS.length];
    entries.push({
      id: c.id,
      name: c.name,
      price: c.price,
      colour,
      ink: inkOn(colour),
    });
  }
  return entries;
}

export type CategoryIndex = ReadonlyMap<number, CategoryEntry>;

export function indexCategories(entries: readonly CategoryEntry[]): CategoryIndex {
  return new Map(entries.map((e) => [e.id, e]));
}

/** Seats that can be taken now, per category id (blocked and held seats do not count). */
export function countAvailable(seats: Iterable<{ category: number | null; status: string; blocked: boolean }>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of seats) {
    if (s.category === null || s.status !== 'available' || s.blocked) continue;
    counts.set(s.category, (counts.get(s.category) ?? 0) + 1);
  }
  return counts;
}
