import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { socketUrl } from '../../../lib/api';
import { openAccountSocket } from '../../../lib/account-socket';
import type { BookingsFrame } from '../../../lib/protocol-types';
import { queryKeys } from '../../../lib/query-keys';

const BOOKINGS: BookingsFrame['type'] = 'bookings';

/**
 * The buyer's bookings as they change (PROTOCOL.md "Your bookings"): the account socket says when
 * one changed (a booking or cancel in another tab, a reseat or refund by staff), and My
 * reservations and any booking shown are read again, pushed as the map is, never polled. They are
 * read again too once each connection has joined: a change made while no socket listened was
 * told to nobody.
 */
export function useBookingsFeed(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const reread = () => void queryClient.invalidateQueries({ queryKey: queryKeys.reservations });
    const socket = openAccountSocket({
      url: () => socketUrl('/ws/me/'),
      onJoined: reread,
      onMessage: (frame) => {
        if (frame.type === BOOKINGS) reread();
      },
    });
    return () => socket.close();
  }, [queryClient]);
}
