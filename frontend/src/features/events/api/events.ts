import { api } from '../../../lib/api';

export interface EventSummary {
  id: number;
  name: string;
  venue: string;
  starts_at: string;
  price_min: string;
  price_max: string;
  seats_total: number;
  seats_available: number;
}

export interface EventDetail extends EventSummary {
  description?: string;
}

export const fetchEvent = (id: number) => api.get<EventDetail>(`/api/events/${id}/`);
