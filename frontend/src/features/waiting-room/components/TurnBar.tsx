import { formatCountdown, useNow } from '../../holds';
import type { QueueTurn } from '../api/queue';
import { useTitleNote } from '../hooks/useTitleNote';
import { turnPhase } from '../model/turn';

interface TurnBarProps {
  turn: QueueTurn;
  onExtend: () => void;
  extending: boolean;
}

/**
 * "Your turn: 9:41 left" above the map, and "I need more time" (once per turn, WCAG 2.2.1).
 * The ticking time is for the eyes; a screen reader is told once, in fixed words, when the turn
 * nears its end and when it is over.
 */
export function TurnBar({ turn, onExtend, extending }: TurnBarProps) {
  const now = useNow(1000);
  const { remainingMs, phase } = turnPhase(turn, now);
  const canExtend = !turn.extended && phase !== 'over';
  useTitleNote(phase === 'over' ? null : 'Your turn');
  return (
    <div className={`turn-bar notice ${phase === 'running' ? 'notice--info' : 'notice--warning'}`} data-testid="turn-bar">
      <p className="turn-bar__time">
        {phase === 'over' ? (
          <strong>Your turn has ended.</strong>
        ) : (
          <>
            <strong>Your turn:</strong>{' '}
            <time dateTime={turn.expires_at} data-testid="turn-countdown">
              {formatCountdown(remainingMs)}
            </time>{' '}
            left
          </>
        )}
      </p>
      <p className="turn-bar__said" aria-live="polite" aria-atomic="true" data-testid="turn-said">
        {phase === 'ending' && 'Your turn ends in less than a minute. Seats you hold stay yours until their holds end.'}
        {phase === 'over' && 'Your turn has ended. You can still book the seats you hold.'}
      </p>
      {canExtend && (
        <button type="button" className="button button--small" onClick={onExtend} disabled={extending} data-testid="turn-extend">
          {extending ? 'Asking…' : 'I need more time'}
        </button>
      )}
    </div>
  );
}
