import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { openAccountSocket } from './account-socket';

// PROTOCOL.md "Your own seats": the socket says whose it is on every connection, and takes a
// fresh token whenever the server says the one it was taken with is no longer good.
describe('openAccountSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  async function connected(token: (fresh: boolean) => Promise<string | null>) {
    const onJoined = vi.fn();
    const onMessage = vi.fn();
    const socketToken = vi.fn(token);
    const socket = openAccountSocket({ url: 'ws://test/ws/me/', WebSocket: FakeWebSocket, random: () => 0, socketToken, onJoined, onMessage });
    await vi.advanceTimersByTimeAsync(0);
    const server = FakeWebSocket.all[0];
    server.serverOpen();
    await vi.advanceTimersByTimeAsync(0); // the token is asked for asynchronously
    const auths = () => server.sent.map((data) => JSON.parse(data)).filter((frame) => frame.type === 'auth');
    return { socket, server, socketToken, onJoined, onMessage, auths };
  }

  it('says whose it is, and has joined once the server answers its ping', async () => {
    const t = await connected(async () => 'tok');
    expect(t.auths()).toEqual([{ type: 'auth', token: 'tok' }]);
    expect(t.onJoined).not.toHaveBeenCalled();
    t.server.serverSend({ type: 'pong' });
    expect(t.onJoined).toHaveBeenCalledTimes(1);
    t.socket.close();
  });

  it('says nothing for a visitor who is not logged in', async () => {
    const t = await connected(async () => null);
    expect(t.auths()).toEqual([]);
    t.socket.close();
  });

  it('takes a fresh token each time the one it joined with expires, however long it stays up', async () => {
    let issued = 0;
    const t = await connected(async () => `token-${++issued}`);
    for (let expiry = 0; expiry < 3; expiry++) {
      t.server.serverSend({ type: 'pong' }); // joined
      t.server.serverSend({ type: 'error', code: 'not_authenticated' }); // its token expired
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(t.auths().map((frame) => frame.token)).toEqual(['token-1', 'token-2', 'token-3', 'token-4']);
    expect(t.socketToken.mock.calls).toEqual([[false], [true], [true], [true]]);
    t.socket.close();
  });

  it('asks once for a fresh token when the server refuses the one it had, not again for the fresh one', async () => {
    const t = await connected(async (fresh) => (fresh ? 'new' : 'stale'));
    t.server.serverSend({ type: 'error', code: 'not_authenticated' });
    await vi.advanceTimersByTimeAsync(0);
    t.server.serverSend({ type: 'error', code: 'not_authenticated' });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.auths().map((frame) => frame.token)).toEqual(['stale', 'new']);
    expect(t.onJoined).not.toHaveBeenCalled();
    t.socket.close();
  });

  it('hands every other frame to the page', async () => {
    const t = await connected(async () => 'tok');
    t.server.serverSend({ type: 'bookings' });
    expect(t.onMessage).toHaveBeenCalledWith({ type: 'bookings' });
    t.socket.close();
  });

  it('stays anonymous when the fresh token is refused too, though each ping after an auth is answered', async () => {
    const t = await connected(async (fresh) => (fresh ? 'new' : 'stale'));
    for (let round = 0; round < 3; round++) {
      t.server.serverSend({ type: 'error', code: 'not_authenticated' }); // the auth's answer
      t.server.serverSend({ type: 'pong' }); // then the ping's, sent with it
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(t.auths().map((frame) => frame.token)).toEqual(['stale', 'new']);
    t.socket.close();
  });
});
