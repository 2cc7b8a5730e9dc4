/**
 * "Find seats" (issue 14), apart from any component: check the form, turn it into the request
 * for `POST /api/events/{id}/best/`, and say in words what was found or why nothing was.
 */
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/error-messages';
import { turnRefusal } from '../../../lib/queue-turn';
import type { BestRequest } from '../api/best';
import { mostAtOnce, mostAtOnceText, pastLimitText, type BuyerState, type Outcome } from '../../holds';
import { numberRuns, type SeatInfo } from '../../seat-map';

/** What the inputs hold, as typed. `category` is '' for any price, `section` '' for anywhere. */
export interface FindSeatsForm {
  count: string;
  category: string;
  section: string;
  accessible: string;
}

export const INITIAL_FORM: FindSeatsForm = { count: '2', category: '', section: '', accessible: '0' };

export type FindSeatsField = keyof FindSeatsForm;
export type FieldErrors = Partial<Record<FindSeatsField, string>>;

export type Validation = { ok: true; request: BestRequest } | { ok: false; errors: FieldErrors };

export interface ValidationRules {
  /** What the buyer holds, has booked and may still take; until it is read, the server says. */
  buyer?: BuyerState;
  /** The event's category ids; a chosen one must be among them. */
  categoryIds: readonly number[];
  /** The event's section names; a chosen one must be among them. */
  sections: readonly string[];
}

function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

export function validateFindSeats(form: FindSeatsForm, rules: ValidationRules): Validation {
  const errors: FieldErrors = {};
  const count = wholeNumber(form.count);
  if (form.count.trim() === '') errors.count = 'Enter how many seats you need.';
  else if (count === null) errors.count = 'Enter a whole number of seats.';
  else if (count < 1) errors.count = 'Ask for at least 1 seat.';
  else if (rules.buyer && count > mostAtOnce(rules.buyer)) errors.count = mostAtOnceText(rules.buyer);

  const accessible = form.accessible.trim() === '' ? 0 : wholeNumber(form.accessible);
  if (accessible === null) errors.accessible = 'Enter a whole number of wheelchair spaces, or 0.';
  else if (count !== null && !errors.count && accessible > count) {
    errors.accessible = `At most ${count} of ${count} seats can be wheelchair spaces.`;
  }

  let category: number | undefined;
  if (form.category !== '') {
    category = wholeNumber(form.category) ?? undefined;
    if (category === undefined || !rules.categoryIds.includes(category)) errors.category = 'Choose a price from the list.';
  }

  if (form.section !== '' && !rules.sections.includes(form.section)) errors.section = 'Choose a section from the list.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const request: BestRequest = { count: count! };
  if (category !== undefined) request.category = category;
  if (form.section !== '') request.section = form.section;
  if (accessible! > 0) request.accessible = accessible!;
  return { ok: true, request };
}

export type BlockSeat = Pick<SeatInfo, 'id' | 'section' | 'row' | 'number'> & Partial<Pick<SeatInfo, 'accessible'>>;

/**
 * A block by where it is: "Stalls, row F, seats 8–10"; rows after the first of a section as
 * "; row G, seat 8"; other sections after "; ". `withSection: false` leaves out a single
 * section's name ("row G, seats 4–6"), when the reader already knows it.
 */
export function describeBlock(seats: readonly BlockSeat[], options: { withSection?: boolean } = {}): string {
  const sections = new Map<string, Map<string, number[]>>();
  for (const seat of seats) {
    let rows = sections.get(seat.section);
    if (!rows) sections.set(seat.section, (rows = new Map()));
    const numbers = rows.get(seat.row) ?? [];
    numbers.push(seat.number);
    rows.set(seat.row, numbers);
  }
  const withSection = options.withSection !== false || sections.size > 1;
  const parts: string[] = [];
  for (const [section, rows] of sections) {
    const rowParts = [...rows].map(([row, numbers]) => {
      const plural = new Set(numbers).size > 1;
      return `row ${row}, seat${plural ? 's' : ''} ${numberRuns(numbers)}`;
    });
    parts.push(withSection && section ? `${section}, ${rowParts.join('; ')}` : rowParts.join('; '));
  }
  return parts.join('; ');
}

function sectionsOf(seats: readonly BlockSeat[]): Set<string> {
  return new Set(seats.map((s) => s.section));
}

/** "Found 3 seats together: Stalls, row F, seats 8–10. Wheelchair space: seat 8. They are held for you." */
export function foundMessage(seats: readonly BlockSeat[], together: boolean): string {
  const n = seats.length;
  const where = describeBlock(seats);
  const head =
    n === 1 ? `Found 1 seat: ${where}.` : together ? `Found ${n} seats together: ${where}.` : `Found ${n} seats, not all side by side: ${where}.`;
  const wheelchair = seats.filter((s) => s.accessible);
  let note = '';
  if (wheelchair.length > 0 && n > 1) {
    const oneRow = new Set(seats.map((s) => `${s.section}\u0000${s.row}`)).size === 1;
    const which = oneRow
      ? `seat${wheelchair.length > 1 ? 's' : ''} ${numberRuns(wheelchair.map((s) => s.number))}`
      : describeBlock(wheelchair, { withSection: sectionsOf(seats).size > 1 });
    note = ` Wheelchair space${wheelchair.length > 1 ? 's' : ''}: ${which}.`;
  }
  return `${head}${note} ${n === 1 ? 'It is' : 'They are'} held for you.`;
}

/** The button of an alternative: "Take these instead: row G, seats 4–6" (the section named when it differs). */
export function alternativeText(alternative: readonly BlockSeat[], current: readonly BlockSeat[]): string {
  const here = sectionsOf(current);
  const there = sectionsOf(alternative);
  const sameSection = here.size === 1 && there.size === 1 && [...here][0] === [...there][0];
  return `Take these instead: ${describeBlock(alternative, { withSection: !sameSection })}`;
}

export interface RefusalContext {
  /** The chosen category's name, when one was chosen. */
  categoryName?: string;
  /** What the buyer held, had booked and might take when last read (for the hold-limit sentence). */
  buyer?: BuyerState;
}

/** "No 4 seats together are left in Premium in Stalls. Try fewer seats, another price or another section." */
export function noBlockMessage(request: BestRequest, categoryName?: string): string {
  const { count, section } = request;
  const wheelchairs = request.accessible ?? 0;
  const within = `${categoryName ? ` in ${categoryName}` : ''}${section ? ` in ${section}` : ''}`;
  let what: string;
  if (count === 1) what = wheelchairs > 0 ? 'No wheelchair space is left' : 'No seat is left';
  else {
    const spaces = wheelchairs > 0 ? ` with ${wheelchairs} wheelchair space${wheelchairs > 1 ? 's' : ''}` : '';
    what = `No ${count} seats together${spaces} are left`;
  }
  const tries: string[] = [];
  if (count > 1) tries.push('fewer seats');
  if (categoryName) tries.push('another price');
  if (section) tries.push('another section');
  const choices = tries.length > 1 ? `${tries.slice(0, -1).join(', ')} or ${tries.at(-1)}` : tries[0];
  return `${what}${within}.${choices ? ` Try ${choices}.` : ''}`;
}

/** One clear sentence for each refusal of a search. */
export function refusalOutcome(error: unknown, request: BestRequest, context: RefusalContext): Outcome {
  if (!(error instanceof ApiError)) return { kind: 'error', text: errorMessage(error) };
  switch (error.code) {
    case 'no_block':
      return { kind: 'error', text: noBlockMessage(request, context.categoryName) };
    case 'hold_limit': {
      const limit = typeof error.details.limit === 'number' ? error.details.limit : context.buyer?.hold_limit;
      if (limit === undefined) return { kind: 'error', text: errorMessage(error), refetch: true };
      const held = context.buyer?.held ?? 0;
      const already = held > 0 ? ` You hold ${held} already.` : '';
      return {
        kind: 'error',
        text: `${request.count} more seat${request.count === 1 ? '' : 's'} would take you over the ${limit} seats you can hold at once.${already} Reserve or release some first, or find fewer.`,
        refetch: true, // holds made in another tab are not in this page's count
      };
    }
    case 'purchase_limit': // the server's numbers; bookings made in another tab are not in this page's
      return { kind: 'error', text: `${errorMessage(error)} Find fewer, or none.`, refetch: true };
    case 'invalid':
      return {
        kind: 'error',
        text:
          error.message && error.message !== 'Bad Request'
            ? `The search was refused: ${error.message}`
            : 'The search was refused as not valid. Check the number of seats and wheelchair spaces and try again.',
      };
    case 'not_authenticated':
      return { kind: 'login', text: 'Your session has ended. Log in to find seats.' };
    default: {
      const lost = turnRefusal(error);
      return { kind: 'error', text: errorMessage(error), ...(lost ? { turnLost: lost } : {}) };
    }
  }
}

type Lookup = (id: number) => (BlockSeat & { status: string; mine: boolean; blocked?: boolean }) | undefined;

/** Alternatives that can still be taken as far as this page knows: every seat free, or already the buyer's. */
export function openAlternatives(alternatives: readonly (readonly number[])[], seat: Lookup): number[][] {
  return alternatives
    .filter((ids) =>
      ids.length > 0 &&
      ids.every((id) => {
        const s = seat(id);
        return s !== undefined && !s.blocked && (s.status === 'available' || (s.status === 'locked' && s.mine));
      }),
    )
    .map((ids) => [...ids]);
}

/** Whether the buyer still holds any seat of the block a search found (else "instead" means nothing). */
export function stillHolding(seatIds: readonly number[], seat: Lookup): boolean {
  return seatIds.some((id) => {
    const s = seat(id);
    return s !== undefined && s.status === 'locked' && s.mine;
  });
}

/** What Find seats asks a buyer who already holds seats, before it holds more. */
export interface HeldQuestion {
  text: string;
  /** Whether keeping the earlier holds and adding the new seats fits under the buyer's limits. */
  canAdd: boolean;
  addLabel: string;
  replaceLabel: string;
}

/**
 * "You already hold 2 seats (Stalls, row F, seats 8–9)." and the two ways on: keep them and
 * add, or give them back and find new ones. Adding is offered only where the buyer's state
 * allows (`may_take`); until it is read, the server says.
 */
export function heldQuestion(held: readonly BlockSeat[], count: number, buyer: BuyerState | undefined): HeldQuestion {
  const n = held.length;
  const them = n === 1 ? 'it' : 'them';
  const seats = (k: number) => `${k} seat${k === 1 ? '' : 's'}`;
  const past = buyer ? pastLimitText(count, buyer) : null;
  const canAdd = past === null;
  const limit = past ? ` ${past}` : '';
  return {
    text: `You already hold ${seats(n)} (${describeBlock(held)}).${limit}`,
    canAdd,
    addLabel: `Keep ${them} and add ${seats(count)}`,
    replaceLabel: `Give ${them} back and find ${seats(count)}`,
  };
}
