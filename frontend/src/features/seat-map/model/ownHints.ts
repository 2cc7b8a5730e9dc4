/** What this user's own reads say about a seat the socket may not have shown yet (rule 2). */
export interface OwnHint {
  /** `holds/` lists the seat, held until then (epoch ms; null: no end given). */
  holdUntil?: number | null;
  /** `GET /api/reservations/` lists the seat in a confirmed booking. */
  booked?: boolean;
}

/**
 * The hints of one event's seats: learnt from `holds/` and the bookings, read by the rules when
 * the socket shows the seat (model/seatRules.ts), dropped when the clock ends the hold.
 */
export class OwnHints {
  private byId = new Map<number, OwnHint>();

  get(id: number): OwnHint | undefined {
    return this.byId.get(id);
  }

  /** `holds/` lists the seat, held until `until`. */
  held(id: number, until: number | null): void {
    this.byId.set(id, { ...this.byId.get(id), holdUntil: until });
  }

  /** The bookings list the seat, not shown booked yet: it will be theirs when the socket says so. */
  booked(id: number): void {
    this.byId.set(id, { ...this.byId.get(id), booked: true });
  }

  /** The socket showed the seat booked: the booking hint has done its work. */
  bookingShown(id: number): void {
    const hint = this.byId.get(id);
    if (hint?.booked) this.byId.set(id, { ...hint, booked: false });
  }

  /** Rule 4 for hints: a hold whose end has passed says nothing any more. */
  expire(now: number): void {
    for (const [id, hint] of this.byId) {
      if (hint.holdUntil !== undefined && hint.holdUntil !== null && hint.holdUntil <= now) {
        if (hint.booked) this.byId.set(id, { booked: true });
        else this.byId.delete(id);
      }
    }
  }
}
