import { consolePermissions } from '../../../lib/roles';

export { consolePermissions };

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
