import { useQuery } from '@tanstack/react-query';
import { fetchEvent, fetchEvents } from '../api/events';

export const eventsKey = ['events'] as const;
export const eventKey = (id: number) => ['events', id] as const;

export function useEvents() {
  return useQuery({ queryKey: eventsKey, queryFn: fetchEvents });
}

export function useEvent(id: number) {
  return useQuery({ queryKey: eventKey(id), queryFn: () => fetchEvent(id), enabled: Number.isFinite(id) });
}
