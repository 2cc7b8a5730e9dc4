/**
 * A socket that stays up: reconnects with growing, jittered delays (partysocket's
 * ReconnectingWebSocket), notices a half-open connection with ping / pong (PROTOCOL.md), and
 * reports a plain connection state for the page to show.
 *
 * It knows nothing about seats: callers get parsed JSON frames and an `onOpen` per connection
 * (the server sends a fresh snapshot on every connection; see seat-map/model/seatFeed.ts).
 */
import ReconnectingWebSocket from 'partysocket/ws';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveSocketOptions {
  url: string | (() => string);
  onMessage: (frame: Record<string, unknown>) => void;
  onOpen?: (info: { reconnect: boolean }) => void;
  onStateChange?: (state: ConnectionState, detail?: { code?: number }) => void;
  /** Close codes after which trying again is pointless (4404: unknown event). */
  finalCloseCodes?: number[];
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  /** First reconnect delay; later ones grow by `growFactor` up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  growFactor?: number;
  connectionTimeoutMs?: number;
  /** A WebSocket constructor (tests pass a fake). */
  WebSocket?: unknown;
  random?: () => number;
}

export interface LiveSocket {
  send(frame: Record<string, unknown>): boolean;
  /** Drops the current connection and connects again at once. */
  reconnect(): void;
  close(): void;
  readonly state: ConnectionState;
}

export function openLiveSocket(options: LiveSocketOptions): LiveSocket {
  const {
    heartbeatMs = 20_000,
    pongTimeoutMs = 10_000,
    maxDelayMs = 15_000,
    growFactor = 1.6,
    connectionTimeoutMs = 5_000,
    finalCloseCodes = [4404],
    random = Math.random,
  } = options;
  // Jitter the first delay per client so that a server restart is not met by every browser at once.
  const minDelayMs = options.minDelayMs ?? 500 + Math.round(random() * 1000);

  let state: ConnectionState = 'connecting';
  let everOpened = false;
  let stopped = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let pongDeadline: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState, detail?: { code?: number }) => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next, detail);
  };

  const ws = new ReconnectingWebSocket(options.url, undefined, {
    WebSocket: options.WebSocket,
    minReconnectionDelay: minDelayMs,
    maxReconnectionDelay: maxDelayMs,
    reconnectionDelayGrowFactor: growFactor,
    connectionTimeout: connectionTimeoutMs,
    minUptime: 5_000,
    maxEnqueuedMessages: 0,
    shouldReconnectOnClose: (event) => !finalCloseCodes.includes(event.code),
  });

  const clearPongDeadline = () => {
    if (pongDeadline !== undefined) clearTimeout(pongDeadline);
    pongDeadline = undefined;
  };

  const stopHeartbeat = () => {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    heartbeat = undefined;
    clearPongDeadline();
  };

  const startHeartbeat = () => {
    stopHeartbeat();
    heartbeat = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify({ type: 'ping' }));
      if (pongDeadline === undefined) {
        pongDeadline = setTimeout(() => {
          pongDeadline = undefined;
          // No answer at all: the connection is dead even if the browser has not noticed.
          setState('reconnecting');
          ws.reconnect();
        }, pongTimeoutMs);
      }
    }, heartbeatMs);
  };

  ws.addEventListener('open', () => {
    const reconnect = everOpened;
    everOpened = true;
    setState('open');
    startHeartbeat();
    options.onOpen?.({ reconnect });
  });

  ws.addEventListener('message', (event: MessageEvent) => {
    clearPongDeadline();
    if (typeof event.data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && typeof frame === 'object' && !Array.isArray(frame)) {
      options.onMessage(frame as Record<string, unknown>);
    }
  });

  ws.addEventListener('close', (event) => {
    stopHeartbeat();
    if (stopped) {
      setState('closed');
      return;
    }
    if (finalCloseCodes.includes(event.code)) {
      setState('closed', { code: event.code });
      return;
    }
    setState(everOpened ? 'reconnecting' : 'connecting');
  });

  return {
    send(frame) {
      if (ws.readyState !== ws.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    reconnect() {
      if (stopped) return;
      setState(everOpened ? 'reconnecting' : 'connecting');
      ws.reconnect();
    },
    close() {
      stopped = true;
      stopHeartbeat();
      ws.close();
      setState('closed');
    },
    get state() {
      return state;
    },
  };
}
