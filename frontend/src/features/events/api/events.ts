import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';

export type EventSummary = components['schemas']['EventOutput'];
/** A price category (issue 13); events made before venue layouts have none. */
export type EventCategory = components['schemas']['CategoryOutput'];
export type EventDetail = components['schemas']['EventDetailOutput'];

export const fetchEvent = (id: number) => api.get<EventDetail>(`/api/events/${id}/`);
