/**
 * A door's scanner, online or not (docs/API.md "Tickets"). Online, the server decides each scan
 * (it knows every gate's). Without an answer from it, the scanner decides with what it keeps:
 * the event's public keys, the tickets revoked as of its last sync (and pushed since, PROTOCOL.md
 * "The door"), and its own scans, so it refuses a second entry it has seen itself; it lets the
 * holder through and queues the scan, uploaded later with `force` and its nonce (a retried
 * upload is one check-in), and before any scan it asks the server about. What it cannot know:
 * another gate's scans since its last sync.
 *
 * No React and no network of its own: `post` is the API's scan call, `storage` where the kept
 * state outlives a reload.
 */
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import type { DoorKeys, ScanAnswer, ScanBody } from '../api/door';
import { CodeRefused, eventNamed, factsOf, keysOf, warmedUp, type PublicKeys } from './ticketCode';

export type Direction = 'entry' | 'exit';

export interface DoorAnswer {
  /** `ok`, or the refusal's code (API.md): `invalid_ticket`, `wrong_event`, `revoked`, `already_inside` ... */
  result: string;
  /** The seat's label, when the code says it. */
  seat: string;
  name: string;
  /** What the door person reads. */
  said: string;
  /** Decided here, with no answer from the server. */
  offline: boolean;
  /** How long deciding here took, in ms (offline answers). */
  ms?: number;
}

interface Kept {
  keys: [number, string][];
  revoked: number[];
  /** Each ticket's last direction this scanner let through. */
  seen: [number, Direction][];
  queue: ScanBody[];
  syncedAt: string | null;
}

const nothingKept = (): Kept => ({ keys: [], revoked: [], seen: [], queue: [], syncedAt: null });

export class DoorScanner {
  private keys: PublicKeys = new Map();
  private kept: Kept;
  readonly revoked: Set<number>;
  private readonly seen: Map<number, Direction>;
  private uploading = false;

  constructor(
    readonly eventId: number,
    private readonly post: (scan: ScanBody) => Promise<ScanAnswer>,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.kept = { ...nothingKept(), ...(JSON.parse(storage.getItem(this.storageKey) ?? 'null') as Partial<Kept> | null) };
    this.keys = keysOf(this.kept.keys.map(([key_id, public_key]) => ({ key_id, public_key })));
    this.revoked = new Set(this.kept.revoked);
    this.seen = new Map(this.kept.seen);
    void warmedUp();
  }

  private get storageKey() {
    return `seatmap.door.${this.eventId}`;
  }

  get queued(): number {
    return this.kept.queue.length;
  }

  get syncedAt(): string | null {
    return this.kept.syncedAt;
  }

  /** What `GET .../keys/` said: the keys and the revoked tickets as of when it was read. */
  synced(answer: DoorKeys): void {
    this.kept.keys = answer.keys.map((key) => [key.key_id, key.public_key]);
    this.keys = keysOf(answer.keys);
    // Added to, never cleared: a revocation never ends, and one pushed while this answer travelled may not be in it.
    for (const ticket of answer.revoked) this.revoked.add(ticket);
    this.kept.syncedAt = this.now().toISOString();
    this.save();
  }

  /** Tickets revoked since (a `door` frame). */
  revoke(tickets: readonly number[]): void {
    for (const ticket of tickets) this.revoked.add(ticket);
    this.save();
  }

  async scan(code: string, gate: string, direction: Direction): Promise<DoorAnswer> {
    const scan: ScanBody = { code: code.trim(), gate, direction, scanned_at: this.now().toISOString(), nonce: crypto.randomUUID(), force: false };
    // The scans let through here go first: until the server has them it would let their tickets
    // in again (or refuse their exit), so while they cannot go, this scan is decided here too.
    if (this.queued) await this.upload();
    if (!this.queued) {
      try {
        const answer = await this.post(scan);
        this.seen.set(answer.ticket, direction);
        this.save();
        return { result: 'ok', seat: answer.seat.label, name: answer.name, said: '', offline: false };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (!undecided(error)) {
          // The server's word on where the ticket is: this scanner goes by it when it decides offline later.
          const ticket = error.details.ticket;
          if (typeof ticket === 'number' && (error.code === 'already_inside' || error.code === 'not_inside')) {
            this.seen.set(ticket, error.code === 'already_inside' ? 'entry' : 'exit');
            this.save();
          }
          return refusedByServer(error);
        }
      }
    }
    const started = performance.now();
    const answer = { ...(await this.decided(scan.code, direction)), ms: performance.now() - started };
    if (answer.result === 'ok') this.kept.queue.push({ ...scan, force: true });
    this.save();
    return answer;
  }

  /** The scan decided with what this scanner keeps. */
  async decided(code: string, direction: Direction): Promise<DoorAnswer> {
    const named = eventNamed(code);
    if (named !== null && named !== this.eventId) return offlineRefusal('wrong_event', '', 'This ticket is for another event.');
    let facts;
    try {
      facts = await factsOf(code, this.keys);
    } catch (error) {
      if (error instanceof CodeRefused) return offlineRefusal('invalid_ticket', '', `Not a ticket: ${error.message}.`);
      throw error;
    }
    const seat = facts.label;
    if (this.revoked.has(facts.ticketId)) return offlineRefusal('revoked', seat, 'This ticket was cancelled, refunded or reseated.');
    const inside = this.seen.get(facts.ticketId) === 'entry';
    if (direction === 'entry' && inside) return offlineRefusal('already_inside', seat, `${seat} is inside already.`);
    if (direction === 'exit' && !inside) return offlineRefusal('not_inside', seat, `${seat} is not inside.`);
    this.seen.set(facts.ticketId, direction);
    return { result: 'ok', seat, name: '', said: '', offline: true };
  }

  /** The queued scans sent, oldest first, until the network fails again; each answered one leaves the queue. */
  async upload(): Promise<void> {
    if (this.uploading) return;
    this.uploading = true;
    try {
      while (this.kept.queue.length) {
        try {
          await this.post(this.kept.queue[0]);
        } catch (error) {
          if (!(error instanceof ApiError) || undecided(error)) return;
          // Answered with a refusal (a ticket revoked meanwhile): recorded as refused, not retried.
        }
        this.kept.queue.shift();
        this.save();
      }
    } finally {
      this.uploading = false;
    }
  }

  private save(): void {
    this.kept.revoked = [...this.revoked];
    this.kept.seen = [...this.seen];
    this.storage.setItem(this.storageKey, JSON.stringify(this.kept));
  }
}

/** No answer about the ticket: no network, or a server that could not decide (busy, down, throttled): try again later. */
function undecided(error: ApiError): boolean {
  return error.code === NETWORK_ERROR || error.status === 408 || error.status === 429 || error.status >= 500;
}

function offlineRefusal(result: string, seat: string, said: string): DoorAnswer {
  return { result, seat, name: '', said, offline: true };
}

function refusedByServer(error: ApiError): DoorAnswer {
  const seat = error.details.seat as { label?: string } | undefined;
  const name = typeof error.details.name === 'string' ? error.details.name : '';
  return { result: error.code, seat: seat?.label ?? '', name, said: error.message, offline: false };
}
