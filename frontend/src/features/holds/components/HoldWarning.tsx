import { useState } from 'react';
import { useHeldSeats, type SeatStore } from '../../seat-map';
import { useNow } from '../hooks/useNow';
import { formatCountdown } from '../model/countdown';
import { WARN_BEFORE_MS, holdWarning } from '../model/holdWarning';
import { holdEndingText } from '../model/messages';

interface HoldWarningProps {
  store: SeatStore;
  /** Extends the given seats; resolves with those the server will not extend any further. */
  onExtend: (seatIds: readonly number[]) => Promise<number[]>;
}

/**
 * WCAG 2.2.1: shortly before a hold ends, say so (a live region, visible) and offer one button
 * that asks for more time. The sentence is fixed for the episode (a ticking number in a live
 * region would be read out every second); the countdown beside it is for the eyes.
 */
export function HoldWarning({ store, onExtend }: HoldWarningProps) {
  const held = useHeldSeats(store);
  const now = useNow(1000, held.length > 0);
  const [capped, setCapped] = useState<ReadonlySet<number>>(() => new Set());
  const [busy, setBusy] = useState(false);

  // A seat released and held again is a new hold: forget that the old one was at the cap.
  // Adjusted while rendering (React's pattern for state that follows a prop), not in an effect
  // that would render everything twice.
  const [heldBefore, setHeldBefore] = useState(held);
  if (held !== heldBefore) {
    setHeldBefore(held);
    const keep = [...capped].filter((id) => held.some((s) => s.id === id));
    if (keep.length !== capped.size) setCapped(new Set(keep));
  }

  const warning = holdWarning(held, now, capped);
  const labels = warning?.endingIds.map((id) => store.label(id) ?? `#${id}`) ?? [];
  const seconds = Math.round(WARN_BEFORE_MS / 1000);

  const keep = async () => {
    if (!warning) return;
    setBusy(true);
    try {
      const refused = await onExtend(warning.extendableIds);
      if (refused.length > 0) setCapped((prev) => new Set([...prev, ...refused]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={`hold-warning-slot${warning ? ' notice notice--warning hold-warning' : ''}`} data-testid="hold-warning">
      {/* Assertive like an alert, but not role="alert": the region stays mounted (so its first
          words are announced), and an empty alert would be one more "alert" on the page. */}
      <div aria-live="assertive" aria-atomic="true" data-testid="hold-warning-live">
        {warning && (
          <p className="hold-warning__text">
            {holdEndingText(labels, seconds, warning.capped)}
          </p>
        )}
      </div>
      {warning && (
        <div className="hold-warning__actions">
          <span className="countdown countdown--low" aria-hidden="true" data-testid="hold-warning-countdown">
            {formatCountdown(warning.remainingMs)}
          </span>
          {!warning.capped && warning.extendableIds.length > 0 && (
            <button type="button" className="button button--primary" onClick={keep} disabled={busy} data-testid="keep-seats">
              {busy ? 'Keeping…' : 'Keep my seats'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
