import { useEffect, useState } from 'react';
import { countAvailable } from '../model/categories';
import type { SeatStore } from '../model/seatStore';

/** Seats left per category, from the live store, recounted at most every `ms` while seats change. */
export function useAvailableByCategory(store: SeatStore, ms = 500): ReadonlyMap<number, number> {
  const [counts, setCounts] = useState(() => countAvailable(store.seats()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const recount = () => {
      timer = null;
      setCounts(countAvailable(store.seats()));
    };
    const unsubscribe = store.subscribeChanges(() => {
      if (timer === null) timer = setTimeout(recount, ms);
    });
    recount();
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, ms]);
  return counts;
}
