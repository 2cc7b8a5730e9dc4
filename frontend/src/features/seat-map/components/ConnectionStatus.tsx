import { Icon } from '../../../components/Icon';
import type { FeedStatus } from '../model/seatFeed';

const TEXT: Record<FeedStatus['connection'], string> = {
  connecting: 'Connecting…',
  syncing: 'Catching up…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  gone: 'Disconnected',
};

export function ConnectionStatus({ status, onRetry }: { status: FeedStatus; onRetry: () => void }) {
  const { connection, watchers } = status;
  return (
    <div className="live-bar">
      <p className={`connection connection--${connection}`} role="status" aria-label={`Connection: ${TEXT[connection]}`}>
        <span className="connection__dot" aria-hidden="true" />
        {TEXT[connection]}
      </p>
      {connection === 'gone' && (
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
