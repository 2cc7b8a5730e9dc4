import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { mostAtOnce } from '../../holds';
import { useFindSeats, type FindSeatsOptions } from '../hooks/useFindSeats';
import { type CategoryEntry, type MoneyText, type Seat } from '../../seat-map';
import type { BestRequest } from '../api/best';
import {
  alternativeText,
  heldQuestion,
  INITIAL_FORM,
  validateFindSeats,
  type FieldErrors,
  type FindSeatsField,
  type FindSeatsForm,
} from '../model/findSeats';

/** The search's options (hooks/useFindSeats.ts), but the names of the categories given here. */
type FindSeatsProps = Omit<FindSeatsOptions, 'categoryName'> & {
  loggedIn: boolean;
  /** The event's price categories, in the organiser's order. */
  categories: readonly CategoryEntry[];
  /** How a price reads, in the event's currency ("€50.00"). */
  money?: MoneyText;
  /** The room's sections; a choice of them is offered when there is more than one. */
  sections?: readonly string[];
  /** Where "Log in" leads (back to this page afterwards). */
  loginLink: string;
  /** Whether the room has wheelchair spaces: the search for them is offered only then. */
  wheelchairSpaces?: boolean;
};

interface Option {
  value: string;
  text: string;
}

const FIELDS: FindSeatsField[] = ['count', 'category', 'section', 'accessible'];

/** "Find seats": how many, which price, where, how many wheelchair spaces; the server picks and holds the best block. */
export function FindSeats({ loggedIn, categories, money = (amount) => amount, sections = [], loginLink, wheelchairSpaces = true, ...options }: FindSeatsProps) {
  const { store, buyer } = options;
  const [form, setForm] = useState<FindSeatsForm>(INITIAL_FORM);
  // A search by a buyer who holds seats already waits for their answer: add, or replace.
  const [asking, setAsking] = useState<BestRequest | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const names = useMemo(() => new Map(categories.map((c) => [c.id, c.name])), [categories]);
  const search = useFindSeats({ ...options, categoryName: (id) => names.get(id) });
  // The most one search may ask for (undefined: not known yet, the server says).
  const most = buyer ? mostAtOnce(buyer) : undefined;
  const uid = useId();
  const ids = {
    title: `${uid}-title`,
    count: `${uid}-count`,
    category: `${uid}-category`,
    section: `${uid}-section`,
    accessible: `${uid}-accessible`,
    question: `${uid}-question`,
    login: `${uid}-login`,
  };
  const countRef = useRef<HTMLInputElement>(null);
  const categoryRef = useRef<HTMLSelectElement>(null);
  const sectionRef = useRef<HTMLSelectElement>(null);
  const accessibleRef = useRef<HTMLInputElement>(null);
  const errorId = (field: FindSeatsField) => `${uid}-${field}-error`;
  const submitRef = useRef<HTMLButtonElement>(null);
  const questionRef = useRef<HTMLDivElement>(null);
  const alternativesRef = useRef<HTMLDivElement>(null);

  // The button pressed for an alternative goes away with the swap: keep the keyboard user nearby.
  const refocusAfterSwap = useRef(false);
  useEffect(() => {
    if (search.taking || !refocusAfterSwap.current) return;
    refocusAfterSwap.current = false;
    if (document.activeElement && document.activeElement !== document.body) return;
    (alternativesRef.current?.querySelector('button') ?? submitRef.current)?.focus();
  }, [search.taking]);

  useEffect(() => {
    if (asking) questionRef.current?.querySelector('button')?.focus();
  }, [asking]);

  const change = (field: FindSeatsField, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    if (errors[field]) setErrors(({ [field]: _gone, ...rest }) => rest);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!loggedIn || search.finding || search.taking || asking) return;
    const result = validateFindSeats(form, { buyer, categoryIds: categories.map((c) => c.id), sections });
    if (!result.ok) {
      setErrors(result.errors);
      const first = FIELDS.find((f) => result.errors[f]);
      const fieldRefs = { count: countRef, category: categoryRef, section: sectionRef, accessible: accessibleRef };
      if (first) fieldRefs[first].current?.focus();
      return;
    }
    setErrors({});
    if (store.getHeld().length > 0) setAsking(result.request);
    else search.find(result.request);
  };

  const answer = (how: 'add' | 'replace' | 'cancel') => {
    const request = asking;
    setAsking(null);
    if (request && how === 'add') search.find(request);
    if (request && how === 'replace') search.replaceAndFind(request);
    submitRef.current?.focus(); // the question and its buttons go
  };
  const question = asking ? heldQuestion(store.getHeld(), asking.count, buyer) : null;

  const described = (field: FindSeatsField, ...more: string[]) =>
    [errors[field] ? errorId(field) : null, ...more].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: FindSeatsField) =>
    errors[field] ? (
      <p id={errorId(field)} className="field__error">
        {errors[field]}
      </p>
    ) : null;

  /** A number typed (how many seats, how many of them wheelchair spaces), with its hint if any. */
  const amount = (field: 'count' | 'accessible', label: string, min: number, max: number | undefined, hint?: string) => (
    <div className="field">
      <label htmlFor={ids[field]}>{label}</label>
      <input
        ref={field === 'count' ? countRef : accessibleRef}
        id={ids[field]}
        name={field}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={form[field]}
        onChange={(e) => change(field, e.target.value)}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={hint ? described(field, `${ids[field]}-hint`) : described(field)}
        data-testid={`find-seats-${field}`}
      />
      {hint && (
        <p id={`${ids[field]}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {fieldError(field)}
    </div>
  );

  /** A pick from a list (price, section), '' for any. */
  const choice = (field: 'category' | 'section', label: string, any: string, options: readonly Option[]) => (
    <div className="field">
      <label htmlFor={ids[field]}>{label}</label>
      <select
        ref={field === 'category' ? categoryRef : sectionRef}
        id={ids[field]}
        name={field}
        value={form[field]}
        onChange={(e) => change(field, e.target.value)}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={described(field)}
        data-testid={`find-seats-${field}`}
      >
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
      {fieldError(field)}
    </div>
  );
  const categoryOptions = categories.map((c) => ({ value: String(c.id), text: `${c.name} ${money(c.price)}` }));
  const sectionGone = form.section !== '' && !sections.includes(form.section) ? [form.section] : [];
  const sectionOptions = [...sections, ...sectionGone].map((name) => ({ value: name, text: name }));

  const count = Number(form.count);
  const maxSpaces = Number.isInteger(count) && count >= 1 && (most === undefined || count <= most) ? count : most;
  const current = search.found ? search.found.seatIds.map((id) => store.getSeat(id)).filter((s): s is Seat => s !== undefined) : [];
  const busy = search.finding || search.taking;
  const message = search.message;

  return (
    <section className="card find-seats" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Find seats</h2>
      <form className="find-seats__form" data-testid="find-seats" noValidate onSubmit={submit} aria-describedby={loggedIn ? undefined : ids.login}>
        <fieldset className="find-seats__fields" disabled={!loggedIn}>
          {amount('count', 'Seats', 1, most)}
          {choice('category', 'Price', 'Any price', categoryOptions)}
          {/* A section chosen before the room lost it stays in sight, with its error. */}
          {(sections.length > 1 || sectionGone.length > 0) && choice('section', 'Section', 'Any section', sectionOptions)}
          {wheelchairSpaces &&
            amount(
              'accessible',
              'Wheelchair spaces',
              0,
              maxSpaces,
              'How many of the seats are for wheelchair users; the others are next to them, for companions.',
            )}
          <button
            ref={submitRef}
            type="submit"
            className="button button--primary"
            disabled={!loggedIn}
            aria-disabled={busy || asking !== null || undefined}
            data-testid="find-seats-submit"
          >
            {!loggedIn ? 'Log in to find seats' : search.finding ? 'Finding…' : 'Find seats'}
          </button>
        </fieldset>
        {!loggedIn && (
          <p id={ids.login} className="hint">
            <Link to={loginLink}>Log in</Link> to find seats: the best ones that fit are held for you in one click.
          </p>
        )}
      </form>
      {question && (
        <div ref={questionRef} className="find-seats__question notice" role="group" aria-labelledby={ids.question} data-testid="find-seats-question">
          <p id={ids.question}>{question.text}</p>
          <div className="find-seats__answers">
            {question.canAdd && (
              <button type="button" className="button button--small" onClick={() => answer('add')} data-testid="find-seats-add">
                {question.addLabel}
              </button>
            )}
            <button type="button" className="button button--small" onClick={() => answer('replace')} data-testid="find-seats-replace">
              {question.replaceLabel}
            </button>
            <button type="button" className="button button--small" onClick={() => answer('cancel')}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <div
        className={`find-seats__result${message ? ` notice notice--${message.kind}` : ''}`}
        role="status"
        aria-live="polite"
        aria-atomic="true"
        data-testid="find-seats-result"
      >
        {message && (
          <>
            {message.text}
            {message.kind === 'login' && (
              <>
                {' '}
                <Link to={loginLink}>Log in</Link>
              </>
            )}
          </>
        )}
      </div>
      {search.alternatives.length > 0 && (
        <div ref={alternativesRef} className="find-seats__alternatives" role="group" aria-label="Other seats that fit">
          {search.alternatives.map((alternative) => {
            const seats = alternative.map((id) => store.getSeat(id)).filter((s): s is Seat => s !== undefined);
            return (
              <button
                key={alternative.join(',')}
                type="button"
                className="button button--small"
                aria-disabled={busy || undefined}
                onClick={() => {
                  if (busy) return;
                  refocusAfterSwap.current = true;
                  search.take(alternative);
                }}
                data-testid="find-seats-alternative"
              >
                {alternativeText(seats, current)}
              </button>
            );
          })}
        </div>
      )}
    </section>
  );
}
