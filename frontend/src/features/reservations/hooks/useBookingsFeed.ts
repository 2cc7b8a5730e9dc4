import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, socketUrl } from '../../../lib/api';
import type { BookingsFrame } from '../../../lib/protocol-types';
import { queryKeys } from '../../../lib/query-keys';
import { openLiveSocket } from '../../../lib/ws-client';

const BOOKINGS: BookingsFrame['type'] = 'bookings';

/**
 * The buyer's bookings as they change (PROTOCOL.md "Your bookings"): the account socket says when
 * one changed (a booking or cancel in another tab, a reseat or refund by staff), and My
 * reservations and any booking shown are read again, pushed as the map is, never polled. They are
 * read again too once each connection has joined (the pong after `auth`): a change made while no
 * socket listened was told to nobody.
 */
export function useBookingsFeed(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const reread = () => void queryClient.invalidateQueries({ queryKey: queryKeys.reservations });
    let joining = false;
    let tokenRefreshed = false;
    const sayWhose = async (fresh: boolean) => {
      const token = await api.socketToken(fresh).catch(() => null);
      if (!token) return;
      joining = socket.send({ type: 'auth', token }) && socket.send({ type: 'ping' });
    };
    const socket = openLiveSocket({
      url: () => socketUrl('/ws/me/'),
      onOpen: () => {
        tokenRefreshed = false;
        void sayWhose(false);
      },
      onMessage: (frame) => {
        if (frame.type === BOOKINGS || (frame.type === 'pong' && joining)) {
          joining = false;
          tokenRefreshed = false;
          reread();
        } else if (frame.type === 'error' && frame.code === 'not_authenticated' && !tokenRefreshed) {
          tokenRefreshed = true; // one fresh token per token taken, as the event socket does
          void sayWhose(true);
        }
      },
    });
    return () => socket.close();
  }, [queryClient]);
}
