import { useEffect } from 'react';

/**
 * Puts `note` before the page's title while mounted (null: nothing), so that a buyer who waited
 * in another tab sees in the tab strip that their turn has come and is running.
 */
export function useTitleNote(note: string | null): void {
  useEffect(() => {
    if (!note) return;
    const before = document.title;
    document.title = `${note} · ${before}`;
    return () => {
      document.title = before;
    };
  }, [note]);
}
