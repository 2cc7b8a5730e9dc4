import { describe, expect, it } from 'vitest';
import { CodeRefused, eventNamed, factsOf, keysOf } from './ticketCode';

// Written by reservations/tickets/codes.py with the key of bytes 1..32: the server's codes are
// the scanner's, byte for byte.
const PUBLIC = 'ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=';
const STALLS_C12 =
  'AEAAEAAAAADQAAAAAAAAAI2HBJJXIYLMNRZSAQZRGL2UGOJAUZF67ILFMR73Y2C3VALJMSVE4VBRZDE4B62CAJY4FD3LIX3MIKBLIPZWEWEWDQSVF2OLOOEL7W4SRLJHPS4Q5OIM75NL3VAB';
const keys = keysOf([{ key_id: 2, public_key: PUBLIC }]);

describe('a ticket code read offline', () => {
  it('says its ticket, event and seat when signed by the key it names', async () => {
    await expect(factsOf(STALLS_C12, keys)).resolves.toEqual({ keyId: 2, eventId: 7, ticketId: 9031, label: 'Stalls C12' });
    await expect(factsOf(` ${STALLS_C12.toLowerCase()}\n`, keys)).resolves.toMatchObject({ ticketId: 9031 });
  });

  it.each([
    ['a flipped character', STALLS_C12.slice(0, 40) + (STALLS_C12[40] === 'A' ? 'B' : 'A') + STALLS_C12.slice(41), 'its signature does not hold'],
    ['cut short', STALLS_C12.slice(0, 64), 'cut short'],
    ['cut by one byte', STALLS_C12.slice(0, -2), 'not a ticket code'],
    ['not base32', STALLS_C12.replace('A', '1'), 'not a ticket code'],
    ['nothing', '', 'cut short'],
  ])('refuses %s', async (_, code, why) => {
    await expect(factsOf(code, keys)).rejects.toThrow(new CodeRefused(why));
  });

  it('refuses a code signed by a key the scanner does not have', async () => {
    await expect(factsOf(STALLS_C12, keysOf([{ key_id: 1, public_key: PUBLIC }]))).rejects.toThrow('signed by no key of this event');
  });

  it('tells the event a code names before it is checked', () => {
    expect(eventNamed(STALLS_C12)).toBe(7);
    expect(eventNamed('not a code')).toBeNull();
  });
});
