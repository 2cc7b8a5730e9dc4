import { useEffect, useState } from 'react';
import { serverClock } from '../../../lib/server-clock';

/** The server's time, ticking every `ms` while `active`. */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => serverClock.now());
  useEffect(() => {
    if (!active) return;
    setNow(serverClock.now());
    const timer = setInterval(() => setNow(serverClock.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}
