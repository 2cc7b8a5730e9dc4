import { errorMessage } from '../lib/error-messages';
import { Alert } from './Alert';

interface PagedList {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => unknown;
}

/** "Show more" under a list the API sends a page at a time; nothing once the last is shown. */
export function ShowMore({ list, what }: { list: PagedList; what: string }) {
  if (!list.hasNextPage) return null;
  return (
    <div className="show-more">
      {list.isFetchNextPageError && <Alert>{errorMessage(list.error)}</Alert>}
      <button
        type="button"
        className="button"
        onClick={() => void list.fetchNextPage()}
        disabled={list.isFetchingNextPage}
      >
        {list.isFetchingNextPage ? 'Loading…' : `Show more ${what}`}
      </button>
    </div>
  );
}
