import { useEffect, useState } from 'react';
import { serverClock } from '../../../lib/server-clock';

/** The server's time, ticking every `ms` while `active`. */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => serverClock.now());
  // Starting again after a pause: not the time the clock stopped at, not even for one render.
  const [wasActive, setWasActive] = useState(active);
  if (active !== wasActive) {
    setWasActive(active);
    if (active) setNow(serverClock.now());
  }
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(serverClock.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}
