/**
 * A socket that says whose it is (PROTOCOL.md "Your own seats"): `auth` and a `ping` on every
 * connection, and a fresh token when socket-login.ts says so. `onJoined` once the `pong` after
 * an `auth` comes: what was told while no socket listened was told to nobody, so the page reads
 * it again.
 */
import { api } from './api';
import { SocketLogin } from './socket-login';
import { openLiveSocket, type LiveSocket, type LiveSocketOptions } from './ws-client';

export interface AccountSocketOptions extends LiveSocketOptions {
  onJoined: () => void;
  socketToken?: (fresh: boolean) => Promise<string | null>;
}

export function openAccountSocket({ onJoined, socketToken = (fresh) => api.socketToken(fresh), onMessage, ...options }: AccountSocketOptions): LiveSocket {
  const login = new SocketLogin();
  const sayWhose = async (fresh: boolean) => {
    const token = await socketToken(fresh).catch(() => null);
    if (token && socket.send({ type: 'auth', token }) && socket.send({ type: 'ping' })) login.sent();
  };
  const socket = openLiveSocket({
    ...options,
    onOpen: () => {
      login.opened();
      void sayWhose(false);
    },
    onMessage: (frame) => {
      if (frame.type === 'pong') {
        if (login.pong()) onJoined();
      } else if (frame.type === 'error' && frame.code === 'not_authenticated') {
        if (login.refusedNow()) void sayWhose(true);
      } else onMessage(frame);
    },
  });
  return socket;
}
