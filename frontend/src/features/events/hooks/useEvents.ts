import { useQuery } from '@tanstack/react-query';
import { usePagedList } from '../../../lib/paged-list';
import { fetchEvent, type EventSummary } from '../api/events';

export const eventsKey = ['events'] as const;
export const eventKey = (id: number) => ['events', id] as const;

export function useEvents() {
  return usePagedList<EventSummary>(eventsKey, '/api/events/');
}

export function useEvent(id: number) {
  return useQuery({ queryKey: eventKey(id), queryFn: () => fetchEvent(id), enabled: Number.isFinite(id) });
}
