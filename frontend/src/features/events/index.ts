export { EventList } from './components/EventList';
export { useEvent } from './hooks/useEvents';
export { priceRange } from './format';
export type { EventCategory, EventDetail, EventSummary } from './api/events';
