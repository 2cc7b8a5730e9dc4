/**
 * A socket that stays up: reconnects with growing, jittered delays (partysocket's
 * ReconnectingWebSocket) as the server's close code asks (close-codes.ts), notices a half-open
 * connection with ping / pong (PROTOCOL.md), and reports a plain connection state, with the
 * close code behind it, for the page to show.
 *
 * It knows nothing about seats: callers get parsed JSON frames and an `onOpen` per connection
 * (the server sends a fresh snapshot on every connection; see seat-map/model/seatFeed.ts).
 */
import ReconnectingWebSocket, { type Options as ReconnectOptions } from 'partysocket/ws';
import { BACK_OFF_MIN_MS, closePolicy } from './close-codes';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveSocketOptions {
  url: string | (() => string);
  onMessage: (frame: Record<string, unknown>) => void;
  onOpen?: (info: { reconnect: boolean }) => void;
  /** `detail.code`: the close code that led here (none after a manual reconnect or close). */
  onStateChange?: (state: ConnectionState, detail?: { code?: number }) => void;
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  /** First reconnect delay; later ones grow by `growFactor` up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  growFactor?: number;
  /** Shortest pause after a `back-off` close (4429); up to half of it again is added as jitter. */
  backOffMinMs?: number;
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
    backOffMinMs = BACK_OFF_MIN_MS,
    random = Math.random,
  } = options;
  // Jitter the first delay per client so that a server restart is not met by every browser at once.
  const minDelayMs = options.minDelayMs ?? 500 + Math.round(random() * 1000);

  let state: ConnectionState = 'connecting';
  let stateCode: number | undefined;
  let everOpened = false;
  let stopped = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let pongDeadline: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState, detail?: { code?: number }) => {
    if (state === next && stateCode === detail?.code) return;
    state = next;
    stateCode = detail?.code;
    options.onStateChange?.(next, detail);
  };

  const usualDelays = { minReconnectionDelay: minDelayMs, maxReconnectionDelay: maxDelayMs };
  // Drawn afresh at each such close, so that capped clients do not come back together. The cap
  // lets a client refused again and again wait longer, still never in step with the others.
  const backOffDelays = () => {
    const pause = backOffMinMs + Math.round(random() * (backOffMinMs / 2));
    return { minReconnectionDelay: pause, maxReconnectionDelay: pause * 3 };
  };
  // partysocket reads its delay options each time it waits to reconnect, and asks
  // shouldReconnectOnClose just before that wait: the close code picks the delays of the next
  // wait there (ws-client.test.ts checks it, should a partysocket upgrade change that).
  const reconnectOptions: ReconnectOptions = {
    WebSocket: options.WebSocket,
    ...usualDelays,
    reconnectionDelayGrowFactor: growFactor,
    connectionTimeout: connectionTimeoutMs,
    minUptime: 5_000,
    maxEnqueuedMessages: 0,
    shouldReconnectOnClose: (event) => {
      const { action } = closePolicy(event.code);
      Object.assign(reconnectOptions, action === 'back-off' ? backOffDelays() : usualDelays);
      return action !== 'stop';
    },
  };
  const ws = new ReconnectingWebSocket(options.url, undefined, reconnectOptions);

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
    if (closePolicy(event.code).action === 'stop') {
      setState('closed', { code: event.code });
      return;
    }
    setState(everOpened ? 'reconnecting' : 'connecting', { code: event.code });
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
