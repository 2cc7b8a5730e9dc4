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

/** A price category (issue 13); events made before venue layouts have none. */
export interface EventCategory {
  id: number;
  name: string;
  price: string;
  colour: string;
  seats_total: number;
  seats_available: number;
}

export interface EventDetail extends EventSummary {
  description?: string;
  categories?: EventCategory[];
}

export const fetchEvent = (id: number) => api.get<EventDetail>(`/api/events/${id}/`);
