import { errorMessage } from '../lib/error-messages';

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
      {list.isFetchNextPageError && (
        <p className="notice notice--error" role="alert">
          {errorMessage(list.error)}
        </p>
      )}
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
