import { ApiError } from '../../../lib/api-client';
import { api } from '../../../lib/api';
import type { ApiLayout } from '../model/venue';

/** 404 means "this event has no layout": draw the grid. Anything else is an error. */
export async function layoutOrNull(get: () => Promise<ApiLayout>): Promise<ApiLayout | null> {
  try {
    return await get();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** `GET /api/events/{id}/layout/` (with an ETag: the browser revalidates it, we keep it for good). */
export const fetchLayout = (eventId: number) => layoutOrNull(() => api.get<ApiLayout>(`/api/events/${eventId}/layout/`));
