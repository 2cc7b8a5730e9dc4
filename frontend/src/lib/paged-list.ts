import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api } from './api';

/**
 * A list the API sends a page at a time (docs/API.md "Pages"), read with TanStack Query's
 * infinite query: the first page at once, each next one when the person asks for more.
 */
export function usePagedList<T>(queryKey: readonly unknown[], firstPath: string) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => api.getPage<T>(pageParam, { signal }),
    initialPageParam: firstPath,
    getNextPageParam: (last) => last.next ?? undefined,
    // A new search shows the last one's items until its own come: an item open meanwhile (the
    // console's booking, its refund half typed) stays mounted, not reset.
    placeholderData: keepPreviousData,
  });
  return { ...query, items: query.data?.pages.flatMap((page) => page.items) };
}
