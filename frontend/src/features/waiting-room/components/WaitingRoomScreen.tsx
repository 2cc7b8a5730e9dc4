import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../../lib/error-messages';
import { countOf } from '../../../lib/format';
import { EmailVerificationPrompt } from '../../auth';
import { useNow } from '../../holds';
import { proofUrl } from '../api/queue';
import { nextAnnouncement, type Announcement } from '../model/announcement';
import { positionLine, type Position } from '../model/position';
import { isCalled, type QueueView } from '../model/room';
import { stateWords, timeUntil } from '../model/words';
import { DrawExplained } from './DrawExplained';
import { Alert } from '../../../components/Alert';

export interface WaitingRoomScreenProps {
  eventId: number;
  view: QueueView | null;
  position: Position | null;
  loggedIn: boolean;
  loginLink: string;
  loading: boolean;
  error: unknown;
  /** The turn is being claimed (the number was called). */
  claiming: boolean;
  /** The join was refused for want of a verified e-mail: why, and the account's address. */
  emailUnverified?: { reason: string; email: string } | null;
  onJoinAgain?: () => void;
}

/** Before the on-sale: the countdown to it, and how the draw works. */
const BEFORE_SALE = new Set(['scheduled', 'pre_queue']);
/** While numbers may still be called for this buyer: the warning that seats may run out first. */
const SELLING = new Set(['admitting', 'paused']);

/**
 * The buyer's screen while they wait: the state in words, the countdown to the on-sale and how
 * the draw works before it; then "No. 12,345 · 4,321 ahead · about 6-9 min · 1,104 seats left",
 * the entry id and the draw's proof; a warning when those ahead are likely to take what is left;
 * "held out" and "sold out" as they happen. A screen reader hears the position politely, and
 * only when it changes in a way that matters (model/announcement.ts), not with every frame.
 */
export function WaitingRoomScreen({ eventId, view, position, loggedIn, loginLink, loading, error, claiming, emailUnverified = null, onJoinAgain = () => {} }: WaitingRoomScreenProps) {
  const queue = view?.queue;
  const place = view?.place ?? null;
  const beforeSale = queue !== undefined && BEFORE_SALE.has(queue.state);
  const now = useNow(1000, beforeSale);

  const [announced, setAnnounced] = useState<Announcement | null>(null);
  const announcement = queue
    ? nextAnnouncement(announced, {
        state: queue.state,
        reason: queue.reason,
        number: place?.number ?? null,
        ahead: position?.ahead ?? 0,
        called: view ? isCalled(view) : false,
        likelyGone: position?.likelyGone ?? false,
        joined: place !== null,
      })
    : null;
  // Kept while rendering (React's pattern for state that follows a prop): the same object while
  // nothing meaningful changed, so the live region's text does not change either.
  if (announcement !== announced) setAnnounced(announcement);

  if (!queue) {
    return (
      <section className="waiting-room card" aria-label="Waiting room" data-testid="waiting-room">
        {loading || !error ? <p className="loading">Loading the waiting room…</p> : <Alert>{errorMessage(error)}</Alert>}
      </section>
    );
  }

  const words = stateWords(queue);
  const called = view !== null && isCalled(view);
  return (
    <section className="waiting-room card" aria-labelledby="waiting-room-title" data-testid="waiting-room" data-state={queue.state}>
      <h2 id="waiting-room-title" data-testid="waiting-room-title">
        {words.title}
      </h2>
      <p>{words.detail}</p>
      {beforeSale && (
        <p className="waiting-room__countdown">
          The sale starts in{' '}
          <time dateTime={queue.on_sale_at} data-testid="sale-countdown">
            {timeUntil(Date.parse(queue.on_sale_at) - now)}
          </time>
        </p>
      )}
      {!loggedIn && queue.state !== 'sold_out' && (
        <p className="notice notice--login">
          {queue.state === 'scheduled' ? 'Once the waiting room opens, log' : 'Log'} in to take a place in the waiting room.{' '}
          <Link to={loginLink}>Log in</Link>
        </p>
      )}
      {!place && emailUnverified && <EmailVerificationPrompt reason={emailUnverified.reason} email={emailUnverified.email} onDone={onJoinAgain} />}
      {place && (
        <div className="waiting-room__place">
          {position ? (
            <p className="waiting-room__position" data-testid="queue-position">
              {positionLine(position, queue)}
            </p>
          ) : (
            <p data-testid="queue-position">
              {beforeSale
                ? 'You have a place. Your number is drawn when the sale starts: when you came does not matter.'
                : 'You have a place. Your number comes in a moment.'}
            </p>
          )}
          {called && queue.state !== 'sold_out' && (
            <p className="notice notice--ok" data-testid="queue-called">
              Your number is called. {claiming ? 'Opening the map for you…' : 'Your turn starts now.'}
            </p>
          )}
          {position?.likelyGone && !called && SELLING.has(queue.state) && (
            <p className="notice notice--warning" data-testid="queue-warning">
              Those ahead of you are likely to take the {countOf(queue.seats_left, 'seat')} left
              before your number is called. Keep your place for a chance at seats that come back.
            </p>
          )}
          <p className="hint">
            Your entry: <code data-testid="queue-entry">{place.entry_id}</code>
            {place.late ? ' (joined after the start: numbered in the order of arrival)' : ''} ·{' '}
            <a href={proofUrl(eventId)} target="_blank" rel="noreferrer">
              The draw&rsquo;s proof (opens in a new tab)
            </a>
          </p>
        </div>
      )}
      {(beforeSale || queue.state === 'draw') && <DrawExplained commitment={queue.commitment} randomnessSource={queue.randomness_source} />}
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="queue-announcement">
        {announcement?.text}
      </p>
    </section>
  );
}
