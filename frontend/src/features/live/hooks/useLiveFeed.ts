import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { api, socketUrl } from '../../../lib/api';
import { queryKeys } from '../../../lib/query-keys';
import { useLatest } from '../../../lib/use-latest';
import { openLiveSocket } from '../../../lib/ws-client';
import type { SeatStore, StreamPoint } from '../../seat-map';
import { SeatFeed, type SeatFeedOptions } from '../model/seatFeed';

/**
 * The event's socket, feeding `store`. It opens once `from` is known (the point of the stream the
 * store's seats were read at) and resumes from there, so the server sends no snapshot of what
 * the page already has; a later `from` (the map read again) does not reopen it, since the feed
 * knows its own position by then. A logged-in buyer's socket says whose it is and is told their
 * own seats as they change (any tab, any device); after a reconnect the holds are also read
 * again over HTTP. The organiser's console says so (`?console=1`): a staff socket then also gets
 * each transaction's frame at once, unmerged (PROTOCOL.md). Its snapshots come in the compact
 * form (a `state` frame): the store holds the map's seats, read again when a snapshot shows
 * others. Mount with `key={eventId}`, like the store.
 */
export function useLiveFeed(
  eventId: number,
  store: SeatStore,
  from: StreamPoint | null,
  { console = false, onDoor }: Pick<SeatFeedOptions, 'console' | 'onDoor'> = {},
): SeatFeed {
  const queryClient = useQueryClient();
  const [feed] = useState(
    () =>
      new SeatFeed({
        eventId,
        store,
        openSocket: (handlers, query) => openLiveSocket({ url: () => socketUrl(`/ws/events/${eventId}/`) + query(), ...handlers }),
        // Anonymous watchers have no holds to re-learn: their holds query is disabled, and
        // invalidating a disabled query fetches nothing.
        // A console's door counts too: `door` frames are not sent again (PROTOCOL.md "The door").
        onReconnected: () => {
          void queryClient.invalidateQueries({ queryKey: queryKeys.ownHolds(eventId) });
          if (console) void queryClient.invalidateQueries({ queryKey: queryKeys.doorCounts(eventId) });
        },
        // Seats added since the map was read: the map and the state it opens with, read again.
        onSeatsChanged: () => {
          void queryClient.invalidateQueries({ queryKey: queryKeys.seatPlan(eventId) });
          void queryClient.invalidateQueries({ queryKey: queryKeys.seatStates(eventId) });
        },
        socketToken: (fresh) => api.socketToken(fresh),
        console,
        onDoor,
      }),
  );
  const arrived = from !== null;
  const start = useLatest(from);
  useEffect(() => {
    if (!arrived) return;
    feed.start(start.current);
    return () => feed.stop();
  }, [feed, arrived, start]);
  return feed;
}

export function useFeedStatus(feed: SeatFeed) {
  return useSyncExternalStore(feed.subscribeStatus, feed.getStatus);
}

/** What the socket tells of the event's waiting room (its newest frames), for the waiting room's screen. */
export function useQueueFeed(feed: SeatFeed) {
  return useSyncExternalStore(feed.subscribeStatus, feed.getQueue);
}
