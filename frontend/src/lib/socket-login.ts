/**
 * Whose a socket is, one connection at a time (PROTOCOL.md "Your own seats"): the one rule of
 * when a socket sends a fresh token. Each `auth` goes with a `ping`; the `pong` after it, with no
 * `not_authenticated` between, says the token was taken. A token refused, or expired or revoked
 * later, is answered with one fresh token per token taken: a refusal of the fresh one too leaves
 * the socket anonymous. Pure: the sending is the caller's.
 */
export class SocketLogin {
  /** A fresh token was sent since the last one taken. */
  private refreshed = false;
  /** An `auth` is out, its ping's `pong` not back yet; `refused`: answered `not_authenticated`. */
  private unanswered = false;
  private refused = false;

  /** A new connection: it starts with the token the page has. */
  opened(): void {
    this.refreshed = false;
    this.unanswered = false;
  }

  /** An `auth` and its `ping` went out. */
  sent(): void {
    this.unanswered = true;
    this.refused = false;
  }

  /** `not_authenticated` came: whether to send a fresh token now. */
  refusedNow(): boolean {
    if (this.unanswered) this.refused = true;
    const ask = !this.refreshed;
    this.refreshed = true;
    return ask;
  }

  /** A frame only a socket whose token was taken gets (`own`). */
  taken(): void {
    this.refreshed = false;
  }

  /** A `pong` came: whether it answered an `auth` (the connection has said whose it is). */
  pong(): boolean {
    const answered = this.unanswered;
    if (answered && !this.refused) this.refreshed = false;
    this.unanswered = false;
    return answered;
  }
}
