/**
 * What the signed-in person may do in the console, from `GET /api/me/`'s `console` (the
 * permissions of their roles, docs/API.md "The organiser's console"): the console shows only
 * that; the API refuses the rest anyway (403).
 */
export interface ConsoleAbilities {
  /** Open the console at all: watch the sale and its bookings. */
  watch: boolean;
  /** Keep seats back, kill them, release them. */
  keep: boolean;
  /** Sell at the box office. */
  sell: boolean;
  /** Reseat and refund bookings. */
  changeBookings: boolean;
  /** Set the event's purchase limit. */
  limits: boolean;
  /** Export the sales and the ledger. */
  exports: boolean;
}

/** The part of `GET /api/me/` that says what the account may do in the console. */
export interface ConsoleRoles {
  console?: readonly string[];
  console_events?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What the account may do in the console of this event: its roles on every event (`console`)
 * and on this one (`console_events`, an event's own staff); with no event, on any of them.
 */
export function consolePermissions(me: ConsoleRoles | null | undefined, eventId?: number): string[] {
  const perEvent = me?.console_events ?? {};
  const here = eventId === undefined ? Object.values(perEvent).flat() : (perEvent[String(eventId)] ?? []);
  return [...(me?.console ?? []), ...here];
}

export function consoleAbilities(permissions: readonly string[] | undefined): ConsoleAbilities {
  const may = new Set(permissions ?? []);
  const watch = may.has('view_console');
  return {
    watch,
    keep: watch && may.has('keep_seats'),
    sell: watch && may.has('sell_at_box_office'),
    changeBookings: watch && may.has('change_bookings'),
    limits: watch && may.has('change_event'),
    exports: watch && may.has('export_event'),
  };
}
