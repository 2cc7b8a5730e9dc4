import { useEffect, useState } from 'react';
import { socketUrl } from '../../../lib/api';
import { openAccountSocket } from '../../../lib/account-socket';
import type { DoorFrame } from '../../../lib/protocol-types';
import { useLatest } from '../../../lib/use-latest';
import type { ConnectionState } from '../../../lib/ws-client';

const DOOR: DoorFrame['type'] = 'door';

/**
 * The event's socket as a door's scanner (`?door=1`, PROTOCOL.md "The door"): it says whose it
 * is and gets `door` frames (counts, revoked tickets). `onJoined` once each connection has said
 * so: what was told while no socket listened was told to nobody, so the page reads it again
 * then. Its state is the page's online light.
 */
export function useDoorSocket(eventId: number, onDoor: (frame: DoorFrame) => void, onJoined: () => void): ConnectionState {
  const [state, setState] = useState<ConnectionState>('connecting');
  const handlers = useLatest({ onDoor, onJoined });
  useEffect(() => {
    const socket = openAccountSocket({
      url: () => socketUrl(`/ws/events/${eventId}/?door=1`),
      onJoined: () => handlers.current.onJoined(),
      onMessage: (frame) => {
        if (frame.type === DOOR) handlers.current.onDoor(frame as unknown as DoorFrame);
      },
      onStateChange: setState,
    });
    return () => socket.close();
  }, [eventId, handlers]);
  return state;
}
