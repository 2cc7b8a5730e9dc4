import { describe, expect, it } from 'vitest';
import { SocketLogin } from './socket-login';

describe('SocketLogin: one fresh token per token taken', () => {
  it('asks for a fresh token at each expiry of a token the pong said was taken', () => {
    const login = new SocketLogin();
    login.opened();
    for (let expiry = 0; expiry < 3; expiry++) {
      login.sent();
      expect(login.pong()).toBe(true); // taken
      expect(login.refusedNow()).toBe(true); // expired later: one fresh one
    }
  });

  it('leaves the socket anonymous when the fresh token is refused too, though its ping is answered', () => {
    const login = new SocketLogin();
    login.opened();
    login.sent();
    expect(login.refusedNow()).toBe(true);
    login.sent(); // the fresh one
    expect(login.refusedNow()).toBe(false);
    expect(login.pong()).toBe(true); // its ping answered all the same
    expect(login.refusedNow()).toBe(false);
  });

  it('takes an `own` frame as the token taken, and starts afresh on each connection', () => {
    const login = new SocketLogin();
    login.sent();
    expect(login.refusedNow()).toBe(true);
    login.taken();
    expect(login.refusedNow()).toBe(true);
    login.opened();
    expect(login.refusedNow()).toBe(true);
    expect(login.pong()).toBe(false); // a heartbeat's pong: no auth was out
  });
});
