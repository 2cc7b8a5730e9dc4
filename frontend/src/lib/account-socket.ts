/**
 * A socket that says whose it is (PROTOCOL.md "Your own seats"): `auth` and a `ping` on every
 * connection, whose `pong` says it has joined as its account (`onJoined`: what was told while no
 * socket listened was told to nobody, so the page reads it again). A token refused, expired or
 * revoked later (`not_authenticated`) is answered with a fresh one, once per token taken, as the
 * event socket does: a refusal of the fresh one too leaves the socket anonymous.
 */
import { api } from './api';
import { openLiveSocket, type LiveSocket, type LiveSocketOptions } from './ws-client';

export interface AccountSocketOptions extends LiveSocketOptions {
  onJoined: () => void;
  socketToken?: (fresh: boolean) => Promise<string | null>;
}

export function openAccountSocket({ onJoined, socketToken = (fresh) => api.socketToken(fresh), onMessage, ...options }: AccountSocketOptions): LiveSocket {
  let joining = false;
  let tokenRefreshed = false;
  /** The auth being joined was answered `not_authenticated` (its ping's pong comes after). */
  let refused = false;
  const sayWhose = async (fresh: boolean) => {
    const token = await socketToken(fresh).catch(() => null);
    if (!token) return;
    joining = socket.send({ type: 'auth', token }) && socket.send({ type: 'ping' });
    refused = false;
  };
  const socket = openLiveSocket({
    ...options,
    onOpen: () => {
      tokenRefreshed = false;
      void sayWhose(false);
    },
    onMessage: (frame) => {
      if (frame.type === 'pong' && joining) {
        joining = false;
        if (!refused) tokenRefreshed = false;
        onJoined();
      } else if (frame.type === 'error' && frame.code === 'not_authenticated') {
        if (joining) refused = true;
        if (!tokenRefreshed) void sayWhose(true);
        tokenRefreshed = true;
      } else onMessage(frame);
    },
  });
  return socket;
}
