/**
 * Every TanStack Query key of the app. Features refresh each other's data (a booking refreshes
 * the event list and My reservations; logging in, who is logged in), so the keys are named once
 * here rather than written as literals where they are read or invalidated. They nest:
 * invalidating a key also invalidates every key it begins.
 */
export const queryKeys = {
  /** Who is logged in. */
  me: ['me'] as const,
  /** My reservations (every page). */
  reservations: ['reservations'] as const,
  /** One of my reservations (its confirmation page), refreshed with My reservations. */
  reservation: (id: number) => ['reservations', id] as const,
  /** A booking's tickets, read again with it. */
  tickets: (id: number) => ['reservations', id, 'tickets'] as const,
  /** The event list; as a prefix, everything about every event. */
  events: ['events'] as const,
  /** One event's details; as a prefix, its map, state and holds too. */
  event: (id: number) => ['events', id] as const,
  /** The static part of an event's map (`map/`). */
  seatPlan: (eventId: number) => ['events', eventId, 'map'] as const,
  /** Every seat's state at a point of the stream (`state/`). */
  seatStates: (eventId: number) => ['events', eventId, 'state'] as const,
  /** The buyer's own holds and bookings at an event (`holds/`). */
  ownHolds: (eventId: number) => ['events', eventId, 'holds'] as const,
  /** Where the buyer's run of holds of the event stands (`holds/run/`); beside `holds/`, so reading the buyer's seats again does not read it. */
  holdRun: (eventId: number) => ['events', eventId, 'hold-run'] as const,
  /** The event's waiting room (`queue/`): its public state and the buyer's place and turn. */
  queue: (eventId: number) => ['events', eventId, 'queue'] as const,
  /** The organiser's console's reads of an event; as a prefix, all of them. */
  staff: (eventId: number) => ['staff', eventId] as const,
  /** The sale's figures (`sale/`). */
  saleFigures: (eventId: number) => ['staff', eventId, 'sale'] as const,
  /** The door's counts, as the console starts from them. */
  doorCounts: (eventId: number) => ['staff', eventId, 'door'] as const,
  /** Every seat off sale, and why (`off-sale/`). */
  offSale: (eventId: number) => ['staff', eventId, 'off-sale'] as const,
  /** The event's bookings as found by a search; as a prefix (no search given), every search. */
  staffBookings: (eventId: number, search?: string) =>
    (search === undefined ? ['staff', eventId, 'bookings'] : ['staff', eventId, 'bookings', search]) as readonly unknown[],
  /** The event's limits (`limits/`). */
  limits: (eventId: number) => ['staff', eventId, 'limits'] as const,
  /** One booking with its history, as staff see it. */
  staffBooking: (reservationId: number) => ['staff', 'booking', reservationId] as const,
};

/** A read made again only when its key is invalidated, never by itself, and forgotten once no page uses it. */
export const READ_ONCE = { staleTime: Infinity, gcTime: 0, refetchOnWindowFocus: false, refetchOnReconnect: false } as const;
