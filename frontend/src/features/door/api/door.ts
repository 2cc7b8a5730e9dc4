/** The door over HTTP (docs/API.md "Tickets"), typed from the schema. */
import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';

/** A scan's answer is waited for this long; then the scanner decides itself (a slow network is no network at a door). */
const SCAN_WAIT_MS = 3000;

type Schemas = components['schemas'];
export type DoorKeys = Schemas['DoorKeysOutput'];
export type DoorCounts = Schemas['DoorCounts'];
export type ScanBody = Schemas['ScanInput'];
export type ScanAnswer = Schemas['ScanOutput'];

const door = (eventId: number) => `/api/door/events/${eventId}`;

export const fetchDoorKeys = (eventId: number) => api.get<DoorKeys>(`${door(eventId)}/keys/`);
export const fetchDoorCounts = (eventId: number) => api.get<DoorCounts>(`${door(eventId)}/counts/`);
export const postScan = (eventId: number, scan: ScanBody) =>
  api.post<ScanAnswer>(`${door(eventId)}/scans/`, scan, { signal: AbortSignal.timeout(SCAN_WAIT_MS) }).catch((error: unknown) => {
    // Sent perhaps, unanswered: its upload later carries the same nonce, so it is one check-in either way.
    if (error instanceof DOMException && error.name === 'TimeoutError') throw new ApiError(0, NETWORK_ERROR, 'No answer in time.');
    throw error;
  });
