import { Icon } from '../../../components/Icon';
import { closePolicy } from '../../../lib/close-codes';
import { closeMessage } from '../../../lib/error-messages';
import type { FeedStatus } from '../model/seatFeed';

const TEXT: Record<FeedStatus['connection'], string> = {
  connecting: 'Connecting…',
  syncing: 'Catching up…',
  // In the waiting room the socket is up and brings the room's news: live, for the buyer.
  waiting: 'Live',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  gone: 'Disconnected',
};

export function ConnectionStatus({ status, onRetry }: { status: FeedStatus; onRetry: () => void }) {
  const { connection, closeCode, watchers } = status;
  const why = closeMessage(closeCode);
  const text = why ? `${TEXT[connection]} — ${why}` : TEXT[connection];
  // After a final close (unknown event) a button to try again would only fail again.
  const canRetry = connection === 'gone' && closePolicy(closeCode).action !== 'stop';
  return (
    <div className="live-bar">
      <p className={`connection connection--${connection}`} role="status" aria-label={`Connection: ${text}`}>
        <span className="connection__dot" aria-hidden="true" />
        {TEXT[connection]}
        {why && <span className="connection__why">{why}</span>}
      </p>
      {canRetry && (
        <button type="button" className="button button--small" onClick={onRetry}>
          Reconnect
        </button>
      )}
      {watchers !== null && (
        <p className="watchers">
          <Icon name="eye" size={16} /> 
          {watchers === 1 ? '1 person watching' : `${watchers} people watching`}
        </p>
      )}
    </div>
  );
}
