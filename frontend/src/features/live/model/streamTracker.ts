/**
 * Follows the socket's `seq` / `epoch` (PROTOCOL.md, "Ordering and gaps") and says what to do
 * with each message. It never drops information that versions make safe to apply: a message
 * after a gap is still applied (its versions protect every seat), and a snapshot is asked for to
 * fill what was missed.
 */

export type SeatsDecision =
  /** Apply the changes. `resync`: also ask the server for a snapshot (gap or new epoch). */
  | { action: 'apply'; resync: boolean; reason?: 'gap' | 'epoch' }
  /** A `seq` already seen: drop it. */
  | { action: 'drop' };

export class StreamTracker {
  private epoch: string | null = null;
  private seq: number | null = null;
  private awaiting = true;

  /** Whether a snapshot is expected (fresh connection, or one was asked for). */
  get awaitingSnapshot(): boolean {
    return this.awaiting;
  }

  get position(): { epoch: string | null; seq: number | null } {
    return { epoch: this.epoch, seq: this.seq };
  }

  /** A new connection: the server sends a snapshot first; nothing from before counts. */
  reset(): void {
    this.epoch = null;
    this.seq = null;
    this.awaiting = true;
  }

  /** A snapshot was asked for. */
  requested(): void {
    this.awaiting = true;
  }

  onSnapshot(epoch: string, seq: number): void {
    if (this.epoch === epoch && this.seq !== null) this.seq = Math.max(this.seq, seq);
    else this.seq = seq;
    this.epoch = epoch;
    this.awaiting = false;
  }

  /**
   * A `seats` message covering the transactions `firstSeq` to `seq` (the server merges a short
   * window of them into one message; `first_seq` absent means one transaction).
   */
  onSeats(epoch: string, seq: number, firstSeq: number = seq): SeatsDecision {
    if (this.epoch === null || this.seq === null) {
      // Before the first snapshot: versions make it safe; the snapshot sets the position.
      return { action: 'apply', resync: false };
    }
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.seq = seq;
      const ask = !this.awaiting;
      this.awaiting = true;
      return { action: 'apply', resync: ask, reason: 'epoch' };
    }
    if (seq <= this.seq) return { action: 'drop' };
    if (firstSeq <= this.seq + 1) {
      this.seq = seq;
      return { action: 'apply', resync: false };
    }
    this.seq = seq;
    const ask = !this.awaiting;
    this.awaiting = true;
    return { action: 'apply', resync: ask, reason: 'gap' };
  }
}
