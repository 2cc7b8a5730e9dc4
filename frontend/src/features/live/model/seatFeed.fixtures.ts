import { vi } from 'vitest';
import type { LiveSocket, LiveSocketOptions } from '../../../lib/ws-client';
import { SeatStore, type ApiSeat } from '../../seat-map';
import { SeatFeed, type SeatFeedOptions } from './seatFeed';

/** The seats and the instant the SeatFeed tests (seatFeed*.test.ts) start from. */
export const T = '2026-12-22T10:05:00Z';

export function apiSeat(id: number): ApiSeat {
  return { id, label: `A${id}`, section: 'Floor', row: 'A', number: id, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false };
}

/**
 * A SeatFeed on seats 1-3 of event 1, its socket a stand-in that records what is sent: `open`
 * and `frame` play the server's side. `options` are the feed's own (`socketToken`, ...).
 */
export function feedHarness(options: Partial<Pick<SeatFeedOptions, 'socketToken'>> = {}) {
  const store = new SeatStore();
  store.loadFromApi([apiSeat(1), apiSeat(2), apiSeat(3)]);
  const sent: Record<string, unknown>[] = [];
  let handlers!: Pick<LiveSocketOptions, 'onMessage' | 'onOpen' | 'onStateChange'>;
  const socket: LiveSocket = {
    send: (frame) => {
      sent.push(frame);
      return true;
    },
    reconnect: vi.fn(),
    close: vi.fn(),
    state: 'open',
  };
  const onReconnected = vi.fn();
  const feed = new SeatFeed({
    eventId: 1,
    store,
    onReconnected,
    openSocket: (h) => {
      handlers = h;
      return socket;
    },
    ...options,
  });
  feed.start();
  const open = (reconnect = false) => {
    handlers.onStateChange?.('open');
    handlers.onOpen?.({ reconnect });
  };
  const frame = (f: Record<string, unknown>) => handlers.onMessage({ event_id: 1, ...f });
  const snapshot = (seq: number, seats: unknown[] = [], epoch = 'e1') => frame({ type: 'snapshot', seq, epoch, seats });
  const seats = (seq: number, changes: unknown[], epoch = 'e1') => frame({ type: 'seats', seq, epoch, changes });
  return { store, feed, sent, handlers: () => handlers, open, frame, snapshot, seats, onReconnected };
}
