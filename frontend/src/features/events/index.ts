export { EventList } from './components/EventList';
export { useEvent } from './hooks/useEvents';
export { priceRange } from './format';
