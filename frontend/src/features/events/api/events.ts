import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';

export type EventSummary = components['schemas']['EventOutput'];
export type EventDetail = components['schemas']['EventDetailOutput'];

export const fetchEvent = (id: number) => api.get<EventDetail>(`/api/events/${id}/`);
