import { getPublicKeyAsync, signAsync } from '@noble/ed25519';
import { base32nopad } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import type { ScanAnswer, ScanBody } from '../api/door';
import { DoorScanner } from './doorScanner';

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
let publicKey = '';

/** A code as reservations/tickets/codes.py writes one (ticketCode.test.ts holds one it wrote). */
async function codeOf(ticket: number, label: string, event = 7, keyId = 2): Promise<string> {
  const text = new TextEncoder().encode(label);
  const body = new Uint8Array(16 + text.length);
  const view = new DataView(body.buffer);
  view.setUint8(0, 1);
  view.setUint16(1, keyId);
  view.setUint32(3, event);
  view.setBigUint64(7, BigInt(ticket));
  view.setUint8(15, text.length);
  body.set(text, 16);
  const signature = await signAsync(body, SECRET);
  return base32nopad.encode(new Uint8Array([...body, ...signature]));
}

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

const offline = () => Promise.reject(new ApiError(0, NETWORK_ERROR, 'offline'));

/** A scanner whose server answers with `answer` (or is out of reach), keeping what it was sent. */
function scannerWith(answer: (scan: ScanBody) => Promise<ScanAnswer>, storage = memoryStorage()) {
  const sent: ScanBody[] = [];
  const scanner = new DoorScanner(7, (scan) => (sent.push(scan), answer(scan)), storage);
  scanner.synced({ keys: [{ key_id: 2, public_key: publicKey }], revoked: [13], counts: { entered: 0, left: 0, inside: 0, gates: {} } });
  return { scanner, sent, storage };
}

beforeAll(async () => {
  publicKey = btoa(String.fromCharCode(...(await getPublicKeyAsync(SECRET))));
});

describe('a door scanner online', () => {
  it('shows the server’s answer and queues nothing', async () => {
    const seat = { id: 3, label: 'C12', section: 'Stalls', row: 'C' };
    const { scanner, sent } = scannerWith(async () => ({ result: 'ok', ticket: 11, seat, name: 'alice' }));
    const answer = await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry');
    expect(answer).toEqual({ result: 'ok', seat: 'C12', name: 'alice', said: '', offline: false });
    expect(sent[0]).toMatchObject({ gate: 'North', direction: 'entry', force: false });
    expect(scanner.queued).toBe(0);
  });

  it('shows the server’s refusal with its words', async () => {
    const refusal = new ApiError(409, 'already_inside', 'C12 is inside already.', { seat: { label: 'C12' }, name: 'alice' });
    const { scanner } = scannerWith(() => Promise.reject(refusal));
    await expect(scanner.scan(await codeOf(11, 'C12'), 'North', 'entry')).resolves.toEqual({
      result: 'already_inside',
      seat: 'C12',
      name: 'alice',
      said: 'C12 is inside already.',
      offline: false,
    });
  });
});

describe('a door scanner offline', () => {
  it('lets a good ticket in once, out, and in again, queueing each with force and its nonce', async () => {
    const { scanner, sent, storage } = scannerWith(offline);
    const code = await codeOf(11, 'C12');
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'ok', seat: 'C12', offline: true });
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'already_inside', said: 'C12 is inside already.' });
    expect(await scanner.scan(code, 'North', 'exit')).toMatchObject({ result: 'ok' });
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'ok' });
    expect(scanner.queued).toBe(3);
    expect(new Set(sent.map((scan) => scan.nonce)).size).toBe(1); // the later ones waited behind the first's upload
    const queue = JSON.parse(storage.getItem('seatmap.door.7')!).queue as ScanBody[];
    expect(new Set(queue.map((scan) => scan.nonce)).size).toBe(3);
  });

  it.each([
    ['a revoked ticket', () => codeOf(13, 'C14'), 'revoked'],
    ['another event’s ticket', () => codeOf(11, 'C12', 8), 'wrong_event'],
    ['a key it does not have', () => codeOf(11, 'C12', 7, 3), 'invalid_ticket'],
    ['a forged code', async () => (await codeOf(11, 'C12')).replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A')), 'invalid_ticket'],
  ])('refuses %s and queues nothing', async (_, code, result) => {
    const { scanner } = scannerWith(offline);
    expect(await scanner.scan(await code(), 'North', 'entry')).toMatchObject({ result, offline: true });
    expect(scanner.queued).toBe(0);
  });

  it('refuses a ticket revoked by a pushed frame since its sync', async () => {
    const { scanner } = scannerWith(offline);
    scanner.revoke([11]);
    expect(await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry')).toMatchObject({ result: 'revoked' });
  });

  it('uploads its queue oldest first once back, with the nonces it let them through with', async () => {
    let reachable = false;
    const uploaded: ScanBody[] = [];
    const { scanner, sent, storage } = scannerWith(async (scan) => {
      if (!reachable) return offline();
      uploaded.push(scan);
      return { result: 'ok', ticket: 11, seat: { id: 3, label: 'C12', section: '', row: '' }, name: '' };
    });
    await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry');
    await scanner.scan(await codeOf(12, 'C13'), 'North', 'entry');
    await scanner.upload(); // still offline: kept
    expect(scanner.queued).toBe(2);
    const queued = JSON.parse(storage.getItem('seatmap.door.7')!).queue as ScanBody[];
    reachable = true;
    await scanner.upload();
    expect(scanner.queued).toBe(0);
    expect(queued.map((scan) => scan.nonce)).toEqual([sent[0].nonce, expect.any(String)]);
    expect(uploaded.map((scan) => [scan.nonce, scan.force])).toEqual(queued.map((scan) => [scan.nonce, true]));
  });

  it('uploads what it let through before it asks the server about a scan, so a ticket it let in is not let in twice', async () => {
    let reachable = false;
    const inside = new Set<number>(); // the server's record
    const { scanner, sent } = scannerWith(async (scan) => {
      if (!reachable) return offline();
      if (!scan.force && inside.has(11)) throw new ApiError(409, 'already_inside', 'C12 is inside already.');
      inside.add(11);
      return { result: 'ok', ticket: 11, seat: { id: 3, label: 'C12', section: '', row: '' }, name: '' };
    });
    const code = await codeOf(11, 'C12');
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'ok', offline: true });
    reachable = true; // back, before anything uploaded the queue
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'already_inside', offline: false });
    expect(sent.map((scan) => scan.force)).toEqual([false, true, false]);
    expect(scanner.queued).toBe(0);
  });

  it('refuses offline a second entry of a ticket the server just said was inside', async () => {
    let reachable = true;
    const { scanner } = scannerWith(async () => {
      if (!reachable) return offline();
      throw new ApiError(409, 'already_inside', 'C12 is inside already.', { ticket: 11, seat: { label: 'C12' }, name: 'alice' });
    });
    const code = await codeOf(11, 'C12');
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'already_inside', offline: false });
    reachable = false; // the network goes; the same code is shown again
    expect(await scanner.scan(code, 'North', 'entry')).toMatchObject({ result: 'already_inside', offline: true });
    expect(scanner.queued).toBe(0);
  });

  it('keeps its keys, revocations, own scans and queue across a reload', async () => {
    const { scanner, storage } = scannerWith(offline);
    const code = await codeOf(11, 'C12');
    await scanner.scan(code, 'North', 'entry');
    const reloaded = new DoorScanner(7, offline, storage);
    expect(reloaded.queued).toBe(1);
    expect(await reloaded.scan(code, 'North', 'entry')).toMatchObject({ result: 'already_inside' });
    expect(await reloaded.scan(await codeOf(13, 'C14'), 'North', 'entry')).toMatchObject({ result: 'revoked' });
  });
});

describe('a door scanner whose server is there but cannot answer (503, 500, 429)', () => {
  const busy = () => Promise.reject(new ApiError(503, 'unavailable', 'The database is out of reach.', {}, 1));

  it('decides a scan itself rather than refusing a good ticket', async () => {
    const { scanner } = scannerWith(busy);
    expect(await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry')).toMatchObject({ result: 'ok', offline: true });
    expect(scanner.queued).toBe(1);
  });

  it('keeps a queued scan the server did not decide, to upload it later', async () => {
    let answer: (scan: ScanBody) => Promise<ScanAnswer> = offline;
    const { scanner } = scannerWith((scan) => answer(scan));
    await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry');
    answer = busy;
    await scanner.upload();
    expect(scanner.queued).toBe(1);
    answer = () => Promise.reject(new ApiError(409, 'revoked', 'Revoked.'));
    await scanner.upload(); // decided: recorded as refused, not retried
    expect(scanner.queued).toBe(0);
  });
});

describe('a door scanner syncing while tickets are revoked', () => {
  it('keeps a revocation pushed while its keys were on their way, read before it', async () => {
    const { scanner } = scannerWith(offline);
    scanner.revoke([11]); // a refund's `door` frame, while `keys/` (read just before the refund) travels
    scanner.synced({ keys: [{ key_id: 2, public_key: publicKey }], revoked: [13], counts: { entered: 0, left: 0, inside: 0, gates: {} } });
    expect(await scanner.scan(await codeOf(11, 'C12'), 'North', 'entry')).toMatchObject({ result: 'revoked' });
  });
});
