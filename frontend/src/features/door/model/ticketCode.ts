/**
 * A ticket's code read and checked with no network, as reservations/tickets/codes.py writes it
 * (docs/API.md "Tickets"):
 *
 *     version (1) | key id (2) | event id (4) | ticket id (8) | label length (1) | label
 *     | Ed25519 signature of all of that (64)
 *
 * in base32 without padding, big-endian. A code is ours only if it is written as we write it
 * (the last character's spare bits zero: @scure/base refuses them) and its signature holds
 * under the event's key it names.
 */
import { signAsync, verifyAsync } from '@noble/ed25519';
import { base32nopad, base64 } from '@scure/base';

const VERSION = 1;
const HEAD_BYTES = 16;
const SIGNATURE_BYTES = 64;

export interface TicketFacts {
  keyId: number;
  eventId: number;
  ticketId: number;
  label: string;
}

/** An event's public keys by their id, as `GET /api/door/events/{id}/keys/` gives them. */
export type PublicKeys = ReadonlyMap<number, Uint8Array>;

/** Why a code is not a ticket of ours (the server's `invalid_ticket` words). */
export class CodeRefused extends Error {}

export function keysOf(keys: readonly { key_id: number; public_key: string }[]): Map<number, Uint8Array> {
  return new Map(keys.map((key) => [key.key_id, base64.decode(key.public_key)]));
}

function raw(code: string): Uint8Array {
  try {
    return base32nopad.decode(code.trim().toUpperCase());
  } catch {
    throw new CodeRefused('not a ticket code');
  }
}

/** The code's facts once its signature holds under the key it names; CodeRefused otherwise. */
export async function factsOf(code: string, keys: PublicKeys): Promise<TicketFacts> {
  const bytes = raw(code);
  if (bytes.length < HEAD_BYTES + SIGNATURE_BYTES) throw new CodeRefused('cut short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyEnd = HEAD_BYTES + view.getUint8(15);
  if (view.getUint8(0) !== VERSION || bytes.length !== bodyEnd + SIGNATURE_BYTES) {
    throw new CodeRefused('not a ticket code of this version');
  }
  const keyId = view.getUint16(1);
  const key = keys.get(keyId);
  if (!key) throw new CodeRefused('signed by no key of this event');
  const body = bytes.subarray(0, bodyEnd);
  if (!(await verifyAsync(bytes.subarray(bodyEnd), body, key))) throw new CodeRefused('its signature does not hold');
  let label: string;
  try {
    label = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEAD_BYTES, bodyEnd));
  } catch {
    throw new CodeRefused('not a ticket code');
  }
  return { keyId, eventId: view.getUint32(3), ticketId: Number(view.getBigUint64(7)), label };
}

/** The event a code says it is for, unchecked; null when it is no code. */
export function eventNamed(code: string): number | null {
  try {
    const bytes = raw(code);
    return bytes.length >= HEAD_BYTES ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(3) : null;
  } catch {
    return null;
  }
}

/**
 * The curve's tables built now, not at the first scan (a sixth of a second on a phone): a
 * signature made once with a throwaway key does it.
 */
export function warmedUp(): Promise<unknown> {
  return signAsync(new Uint8Array(1), new Uint8Array(32)).catch(() => null);
}
