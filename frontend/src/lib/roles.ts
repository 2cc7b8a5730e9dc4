/**
 * What an account's roles allow on an event, from `GET /api/me/`'s `console` (the permissions
 * of its roles on every event) and `console_events` (an event's own staff), docs/API.md "The
 * organiser's console": the console and the door show only that; the API refuses the rest
 * anyway (403).
 */
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

