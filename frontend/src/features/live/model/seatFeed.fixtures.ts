import type { ApiSeat } from '../../seat-map';

/** The seats and the instant the SeatFeed tests (seatFeed*.test.ts) start from. */
export const T = '2026-12-22T10:05:00Z';

export function apiSeat(id: number): ApiSeat {
  return { id, label: `A${id}`, section: 'Floor', row: 'A', number: id, price: '50.00', status: 'available', version: 1, locked_until: null, mine: false };
}
