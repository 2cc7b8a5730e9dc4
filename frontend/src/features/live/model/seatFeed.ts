/**
 * Joins the socket to the seat store: routes each frame through the StreamTracker, applies
 * what it says, asks for snapshots after gaps or a new epoch, and keeps a small status
 * (connection, watchers) for the page.
 *
 * Each connection asks to resume (PROTOCOL.md "Resuming", `?epoch=E&seq=S`) from the last point
 * whose every change the store holds: the `state/` the page arrived with, then the stream's
 * position. The server answers `resumed` and sends what came after, or, when it cannot, a
 * snapshot: either is fine. After a gap or a new epoch there is no such point until a snapshot
 * comes, and the next connection asks for a snapshot.
 *
 * Snapshots come in the compact form (PROTOCOL.md "Two forms of snapshot"): a `state` frame,
 * a tenth of a `snapshot`'s bytes on an arena, aligned with the store's seats by id. One that
 * does not match them (seats added since the map was read) is not applied: the page reads the
 * map again (`onSeatsChanged`) and the feed asks for a snapshot again.
 *
 * A logged-in page says whose its socket is (`auth`, PROTOCOL.md "Your own seats"); the server
 * then tells it the account's own seats (`own`) whenever they change, whichever tab or device
 * changed them. An `own` frame waits until the stream has reached its `seq`, so the page never
 * calls a seat its own before it shows the state that made it so.
 *
 * On an event behind a waiting room (PROTOCOL.md "Waiting room") a socket first **waits**: it
 * gets `queue` frames instead of a snapshot (and a `place` frame after `auth`), so the feed does
 * not ask for snapshots then and says `waiting` rather than "catching up". The feed keeps the
 * newest of those frames for the waiting room's screen. Once the page has a turn it sends the
 * turn token (`turn`, after `auth`, again on every connection while it has one); the server
 * then sends the snapshot and the feed goes on as on any socket.
 */
import type { DoorFrame, PlaceFrame, QueueFrame } from '../../../lib/protocol-types';
import { TURN_REFUSALS } from '../../../lib/queue-turn';
import { Listeners } from '../../../lib/listeners';
import { SocketLogin } from '../../../lib/socket-login';
import type { ConnectionState, LiveSocket, LiveSocketOptions } from '../../../lib/ws-client';
import {
  decodeOwnHolds,
  decodeSeatStates,
  type ApiOwnHolds,
  type ApiSeatStates,
  type PushedSeat,
  type SeatStates,
  type SeatStore,
  type StreamPoint,
} from '../../seat-map';
import { StreamTracker } from './streamTracker';

/** `waiting`: open, and in the event's waiting room: `queue` frames come, seats do not (yet). */
export type FeedConnection = 'connecting' | 'syncing' | 'waiting' | 'live' | 'reconnecting' | 'gone';

export interface FeedStatus {
  connection: FeedConnection;
  /** The server's close code behind `reconnecting` or `gone` (lib/close-codes.ts); null while up. */
  closeCode: number | null;
  /** People watching this event, from `presence` (an account's tabs count once); null until the first one. */
  watchers: number | null;
  /** Counts of what happened, for the curious and for tests. */
  resyncs: number;
  /** Connections the server resumed (no snapshot sent). */
  resumes: number;
}

/** What the socket told of the event's waiting room. */
export interface QueueFeed {
  /** The newest `queue` frame (the waiting room's public state); null until one comes. */
  frame: QueueFrame | null;
  /** The account's place (`place`), told after `auth`; null until told. */
  place: PlaceFrame | null;
  /** The socket refused a turn token (`queue_turn_required` / `_expired`): which one, and why. */
  refusal: { code: string; token: string | null } | null;
}

/**
 * Opens the socket. `query` is asked each time a connection is made (first and every
 * reconnect): the socket URL's query (`?epoch=E&seq=S`, or '').
 */
export type SocketOpener = (
  handlers: Pick<LiveSocketOptions, 'onMessage' | 'onOpen' | 'onStateChange'>,
  query: () => string,
) => LiveSocket;

export interface SeatFeedOptions {
  eventId: number;
  store: SeatStore;
  openSocket: SocketOpener;
  /** After a reconnect, once its snapshot or `resumed` came: refresh what only HTTP knows (which seats are mine). */
  onReconnected?: () => void;
  /** A snapshot was of other seats than the store's (seats added since `map/` was read): read the map again. */
  onSeatsChanged?: () => void;
  /** Ask again when an awaited snapshot has not come within this time. */
  snapshotTimeoutMs?: number;
  /** The access token for `auth` (null: nobody is logged in); `fresh`: the last was refused. */
  socketToken?: (fresh: boolean) => Promise<string | null>;
  /** The organiser's console (`?console=1`): each transaction's frame at once (PROTOCOL.md). */
  console?: boolean;
  /** A console's `door` frames (the door's counts, PROTOCOL.md "The door"). */
  onDoor?: (frame: DoorFrame) => void;
}

interface OwnFrame extends ApiOwnHolds {
  epoch: string;
  seq: number;
}

function isOwnFrame(frame: Record<string, unknown>): frame is Record<string, unknown> & OwnFrame {
  return typeof frame.epoch === 'string' && typeof frame.seq === 'number' && Array.isArray(frame.seats) && Array.isArray(frame.booked);
}

function isQueueFrame(frame: Record<string, unknown>): frame is Record<string, unknown> & QueueFrame {
  return typeof frame.state === 'string' && typeof frame.serving === 'number' && typeof frame.at === 'string';
}

function isPlaceFrame(frame: Record<string, unknown>): frame is Record<string, unknown> & PlaceFrame {
  return typeof frame.entry_id === 'string' && (frame.number === null || typeof frame.number === 'number');
}

function isPushedSeat(value: unknown): value is PushedSeat {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'number' &&
    typeof v.version === 'number' &&
    (v.status === 'available' || v.status === 'locked' || v.status === 'paying' || v.status === 'reserved')
  );
}

export class SeatFeed {
  private readonly tracker = new StreamTracker();
  private socket: LiveSocket | null = null;
  private socketState: ConnectionState = 'connecting';
  private closeCode: number | null = null;
  private reconnectedUnsynced = false;
  private status: FeedStatus = { connection: 'connecting', closeCode: null, watchers: null, resyncs: 0, resumes: 0 };
  /** The last point whose every change the store holds; null after a gap until a snapshot. */
  private resumable: StreamPoint | null = null;
  /** The point the current connection asked to resume from. */
  private asked: StreamPoint | null = null;
  private listeners = new Listeners();
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last `own` frame, until the stream reaches it, with the versions of the seats held when it came. */
  private ownWaiting: (OwnFrame & { before: Map<number, number> }) | null = null;
  /** When this connection sends a fresh token (socket-login.ts). */
  private readonly login = new SocketLogin();
  /** Whether this connection has had its snapshot (or `resumed`): from then on it is not waiting. */
  private syncedOnConnection = false;
  /** This connection is in the waiting room: no snapshot comes until a turn is shown. */
  private waiting = false;
  /** The waiting room's turn token to show the server, while the page has a turn. */
  private turn: string | null = null;
  /** The turn token this connection has sent. */
  private turnSent: string | null = null;
  /** This connection's `auth` is sent (or known needless): `turn` goes after it. */
  private whoseTold = false;
  /** Counts connections, so that a late answer about an older one is not taken for this one's. */
  private connections = 0;
  private queue: QueueFeed = { frame: null, place: null, refusal: null };
  private readonly options: SeatFeedOptions;

  constructor(options: SeatFeedOptions) {
    this.options = options;
  }

  /** Opens the socket; `from`: the point of the state the store was loaded with (`state/`). */
  start(from?: StreamPoint | null): void {
    if (this.socket) return;
    // A feed stopped and started again (a remount) goes on from where its stream was.
    if (from && !this.resumable) this.resumable = { epoch: from.epoch, seq: from.seq };
    this.socket = this.options.openSocket(
      {
        onMessage: (frame) => this.handleFrame(frame),
        onOpen: ({ reconnect }) => this.handleOpen(reconnect),
        onStateChange: (state, detail) => {
          this.socketState = state;
          if (state !== 'open') this.clearSnapshotTimer();
          this.closeCode = detail?.code ?? null;
          this.refreshConnection();
        },
      },
      () => this.connectionQuery(),
    );
  }

  /** The next connection's query: what it asks for, and where it resumes from (remembered). */
  connectionQuery(): string {
    this.asked = this.resumable;
    const query = new URLSearchParams();
    if (this.asked) {
      query.set('epoch', this.asked.epoch);
      query.set('seq', String(this.asked.seq));
    }
    if (this.options.console) query.set('console', '1');
    const text = query.toString();
    return text ? `?${text}` : '';
  }

  stop(): void {
    this.clearSnapshotTimer();
    this.socket?.close();
    this.socket = null;
  }

  /** Drops the connection and makes a new one (the page offers it when the socket is gone). */
  reconnect(): void {
    this.socket?.reconnect();
  }

  getStatus = (): FeedStatus => this.status;

  getQueue = (): QueueFeed => this.queue;

  /**
   * The waiting room's turn token (null: none). Sent at once when the socket is open, and on
   * every connection after, while it is set.
   */
  setTurn(token: string | null): void {
    if (token === this.turn) return;
    this.turn = token;
    this.sendTurn();
  }

  subscribeStatus = this.listeners.subscribe;

  handleOpen(reconnect: boolean): void {
    this.tracker.reset();
    this.socketState = 'open';
    this.armSnapshotTimer();
    this.refreshConnection();
    // Told only once the snapshot (or `resumed`) comes: the server accepts a socket before it may close it
    // (4429 capped, 4404, 4503), and such a socket must not cost an HTTP read each time.
    if (reconnect) this.reconnectedUnsynced = true;
    this.login.opened();
    this.syncedOnConnection = false;
    this.waiting = false;
    this.turnSent = null;
    this.whoseTold = false;
    const connection = ++this.connections;
    void this.sayWhose(false).then(() => {
      if (connection !== this.connections) return;
      this.whoseTold = true;
      this.sendTurn();
    });
  }

  private sendTurn(): void {
    if (!this.turn || this.turn === this.turnSent || !this.whoseTold || this.socketState !== 'open') return;
    if (this.socket?.send({ type: 'turn', token: this.turn })) this.turnSent = this.turn;
  }

  /** The server said this connection waits (a `queue` frame or a turn refused before any snapshot). */
  private startWaiting(): void {
    if (this.syncedOnConnection || this.waiting) return;
    this.waiting = true;
    this.clearSnapshotTimer();
    this.refreshConnection();
  }

  private setQueue(patch: Partial<QueueFeed>): void {
    this.queue = { ...this.queue, ...patch };
    this.listeners.tell();
  }

  /** Tells the server whose this socket is, when someone is logged in. */
  private async sayWhose(fresh: boolean): Promise<void> {
    const token = await this.options.socketToken?.(fresh).catch(() => null);
    if (!token || this.socketState !== 'open') return;
    // The `pong` after it says it was taken: a waiting socket's `auth` gets no `own` frame.
    if (this.socket?.send({ type: 'auth', token }) && this.socket.send({ type: 'ping' })) this.login.sent();
  }

  /** Applies the waiting `own` frame once the stream has reached it (or is in another epoch). */
  private applyOwnWhenReached(): void {
    const own = this.ownWaiting;
    if (!own || this.tracker.awaitingSnapshot) return;
    const { epoch, seq } = this.tracker.position;
    if (epoch === own.epoch && seq !== null && seq < own.seq) return;
    this.ownWaiting = null;
    const { holds, booked } = decodeOwnHolds(own);
    this.options.store.applyOwnHolds(holds, own.before);
    this.options.store.applyOwnBookings(booked);
  }

  handleFrame(frame: Record<string, unknown>): void {
    if (frame.event_id !== undefined && frame.event_id !== this.options.eventId) return;
    switch (frame.type) {
      case 'snapshot': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string' || !Array.isArray(frame.seats)) return;
        this.applySnapshot(frame.epoch, frame.seq, frame.seats.filter(isPushedSeat));
        return;
      }
      case 'state': {
        const states = this.compactStates(frame);
        if (states) {
          this.applySnapshot(states.epoch, states.seq, states.seats);
        } else {
          this.options.onSeatsChanged?.();
          this.armSnapshotTimer(); // asked again once the map has had time to come
        }
        return;
      }
      case 'resumed': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string') return;
        const asked = this.asked;
        if (!asked || asked.epoch !== frame.epoch || asked.seq !== frame.seq) {
          // Resumed from a point this page did not ask for: take a snapshot instead.
          this.resumable = null;
          this.requestSnapshot();
          return;
        }
        this.tracker.onSnapshot(frame.epoch, frame.seq);
        this.update({ resumes: this.status.resumes + 1 });
        this.synced();
        this.applyOwnWhenReached();
        return;
      }
      case 'seats': {
        if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string' || !Array.isArray(frame.changes)) return;
        const firstSeq = typeof frame.first_seq === 'number' ? frame.first_seq : frame.seq;
        const decision = this.tracker.onSeats(frame.epoch, frame.seq, firstSeq);
        if (decision.action === 'drop') return;
        this.options.store.applyPushed(frame.changes.filter(isPushedSeat));
        if (decision.action === 'apply' && decision.reason) this.resumable = null; // a gap or a new epoch
        else this.keepResumable();
        if (decision.resync) this.requestSnapshot();
        this.applyOwnWhenReached();
        return;
      }
      case 'own': {
        if (!isOwnFrame(frame)) return;
        this.login.taken();
        this.ownWaiting = { ...frame, before: this.options.store.ownHoldVersions() };
        this.applyOwnWhenReached();
        return;
      }
      case 'error': {
        // The token went stale while the page was open.
        if (frame.code === 'not_authenticated' && this.login.refusedNow()) void this.sayWhose(true);
        if (typeof frame.code === 'string' && TURN_REFUSALS.has(frame.code)) {
          this.startWaiting();
          this.setQueue({ refusal: { code: frame.code, token: this.turnSent } });
        }
        return;
      }
      case 'queue': {
        if (!isQueueFrame(frame)) return;
        this.startWaiting();
        this.setQueue({ frame });
        return;
      }
      case 'place': {
        if (isPlaceFrame(frame)) this.setQueue({ place: frame });
        return;
      }
      case 'door': {
        this.options.onDoor?.(frame as unknown as DoorFrame);
        return;
      }
      case 'presence': {
        if (typeof frame.watchers === 'number') this.update({ watchers: frame.watchers });
        return;
      }
      case 'pong': {
        this.login.pong();
        return;
      }
      default:
        return;
    }
  }

  private applySnapshot(epoch: string, seq: number, seats: PushedSeat[]): void {
    this.options.store.applyPushed(seats);
    this.tracker.onSnapshot(epoch, seq);
    this.synced();
    this.applyOwnWhenReached();
  }

  /** A `state` frame's seats: one per seat of the store, in the order of their ids; null when they are other seats. */
  private compactStates(frame: Record<string, unknown>): SeatStates | null {
    const ids = Array.from(this.options.store.seats(), (seat) => seat.id).sort((a, b) => a - b);
    try {
      return decodeSeatStates(frame as unknown as ApiSeatStates, ids);
    } catch {
      return null;
    }
  }

  /** The snapshot or `resumed` this connection waited for came. */
  private synced(): void {
    this.syncedOnConnection = true;
    this.waiting = false;
    this.keepResumable();
    this.clearSnapshotTimer();
    this.refreshConnection();
    if (this.reconnectedUnsynced) {
      this.reconnectedUnsynced = false;
      this.options.onReconnected?.();
    }
  }

  private keepResumable(): void {
    if (this.tracker.awaitingSnapshot) return;
    const { epoch, seq } = this.tracker.position;
    if (epoch !== null && seq !== null) this.resumable = { epoch, seq };
  }

  requestSnapshot(): void {
    this.tracker.requested();
    this.update({ resyncs: this.status.resyncs + 1 });
    this.socket?.send({ type: 'snapshot' });
    this.armSnapshotTimer();
    this.refreshConnection();
  }

  private armSnapshotTimer(): void {
    this.clearSnapshotTimer();
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      if (this.tracker.awaitingSnapshot && this.socketState === 'open' && !this.waiting) this.requestSnapshot();
    }, this.options.snapshotTimeoutMs ?? 5_000);
  }

  private clearSnapshotTimer(): void {
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
  }

  private refreshConnection(): void {
    let connection: FeedConnection;
    switch (this.socketState) {
      case 'open':
        connection = this.waiting ? 'waiting' : this.tracker.awaitingSnapshot ? 'syncing' : 'live';
        break;
      case 'closed':
        connection = 'gone';
        break;
      default:
        connection = this.socketState;
    }
    this.update({ connection, closeCode: this.closeCode });
  }

  private update(patch: Partial<FeedStatus>): void {
    const next = { ...this.status, ...patch };
    const same = (Object.keys(next) as (keyof FeedStatus)[]).every((key) => next[key] === this.status[key]);
    if (same) return;
    this.status = next;
    this.listeners.tell();
  }
}
