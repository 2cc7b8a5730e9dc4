/**
 * An estimate of the server's clock, so that countdowns and local expiry of holds follow the
 * server's `locked_until` even when this machine's clock is off. Fed from HTTP `Date` headers
 * (one-second resolution, so the estimate is only trusted when it is off by more than that).
 */
export class ServerClock {
  private offsetMs = 0;

  observe = (serverMs: number, receivedAtMs: number): void => {
    // A Date header is truncated to the second: the server's instant lies in [serverMs, serverMs + 1000).
    const estimate = serverMs + 500 - receivedAtMs;
    this.offsetMs = Math.abs(estimate) > 1500 ? estimate : 0;
  };

  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export const serverClock = new ServerClock();
