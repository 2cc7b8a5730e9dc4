import { useQuery } from '@tanstack/react-query';
import { usePagedList } from '../../../lib/paged-list';
import { queryKeys } from '../../../lib/query-keys';
import { fetchEvent, type EventSummary } from '../api/events';

export function useEvents() {
  return usePagedList<EventSummary>(queryKeys.events, '/api/events/');
}

export function useEvent(id: number) {
  return useQuery({ queryKey: queryKeys.event(id), queryFn: () => fetchEvent(id), enabled: Number.isFinite(id) });
}
