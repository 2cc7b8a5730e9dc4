import { useEffect, useState } from 'react';
import { api, socketUrl } from '../../../lib/api';
import type { DoorFrame } from '../../../lib/protocol-types';
import { useLatest } from '../../../lib/use-latest';
import { openLiveSocket, type ConnectionState } from '../../../lib/ws-client';

const DOOR: DoorFrame['type'] = 'door';

/**
 * The event's socket as a door's scanner (`?door=1`, PROTOCOL.md "The door"): it says whose it
 * is and gets `door` frames (counts, revoked tickets). `onJoined` once each connection has said
 * so (the pong after `auth`): what was told while no socket listened was told to nobody, so the
 * page reads it again then. Its state is the page's online light.
 */
export function useDoorSocket(eventId: number, onDoor: (frame: DoorFrame) => void, onJoined: () => void): ConnectionState {
  const [state, setState] = useState<ConnectionState>('connecting');
  const handlers = useLatest({ onDoor, onJoined });
  useEffect(() => {
    let joining = false;
    let tokenRefreshed = false;
    const sayWhose = async (fresh: boolean) => {
      const token = await api.socketToken(fresh).catch(() => null);
      if (token) joining = socket.send({ type: 'auth', token }) && socket.send({ type: 'ping' });
    };
    const socket = openLiveSocket({
      url: () => socketUrl(`/ws/events/${eventId}/?door=1`),
      onOpen: () => {
        tokenRefreshed = false;
        void sayWhose(false);
      },
      onMessage: (frame) => {
        if (frame.type === DOOR) handlers.current.onDoor(frame as unknown as DoorFrame);
        else if (frame.type === 'pong' && joining) {
          joining = false;
          handlers.current.onJoined();
        } else if (frame.type === 'error' && frame.code === 'not_authenticated' && !tokenRefreshed) {
          tokenRefreshed = true; // one fresh token per token taken, as the event socket does
          void sayWhose(true);
        }
      },
      onStateChange: setState,
    });
    return () => socket.close();
  }, [eventId, handlers]);
  return state;
}
