/* Generated from realtime/protocol.schema.json by json-schema-to-typescript (npm run gen:protocol): do not edit. */

/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "EventId".
 */
export type EventId = number
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "Seq".
 */
export type Seq = number
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "Epoch".
 */
export type Epoch = string
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "SeatStatus".
 */
export type SeatStatus = ("available" | "locked" | "paying" | "reserved")
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ServerFrame".
 */
export type ServerFrame = (SnapshotFrame | StateFrame | SeatsFrame | ResumedFrame | PresenceFrame | OwnFrame | QueueFrame | PlaceFrame | PongFrame | BookingsFrame | DoorFrame | ErrorFrame)
/**
 * Where an event's waiting room stands (PROTOCOL.md "Waiting room").
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "QueueState".
 */
export type QueueState = ("scheduled" | "pre_queue" | "draw" | "admitting" | "paused" | "held_out" | "sold_out")
/**
 * Why the server closed a socket (PROTOCOL.md "Closing"): realtime.protocol.CloseCode.
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "CloseCode".
 */
export type CloseCode = (4404 | 4408 | 4429 | 4503 | 1009 | 1011)

/**
 * The live seat map's WebSocket frames (docs/PROTOCOL.md), built by realtime/protocol.py; every frame a socket receives in the tests is validated against ServerFrame.
 */
export interface Protocol {
[k: string]: unknown
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "SeatChange".
 */
export interface SeatChange {
id: number
status: SeatStatus
version: number
locked_until: (string | null)
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "SnapshotFrame".
 */
export interface SnapshotFrame {
type: "snapshot"
event_id: EventId
seq: Seq
epoch: Epoch
seats: SeatChange[]
}
/**
 * A snapshot in the compact form of GET .../state/ (API.md), to every socket but a logged-in one opened with ?snapshot=full: one entry per seat in the order of map/'s seats.id.
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "StateFrame".
 */
export interface StateFrame {
type: "state"
event_id: EventId
seq: Seq
epoch: Epoch
seats_total: number
status: string
version: number[]
locked_until: {
[k: string]: string
}
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "SeatsFrame".
 */
export interface SeatsFrame {
type: "seats"
event_id: EventId
seq: Seq
first_seq?: Seq
epoch: Epoch
/**
 * commit time of the oldest transaction, ns since the Unix epoch
 */
ts?: number
/**
 * @minItems 1
 */
changes: [SeatChange, ...(SeatChange)[]]
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ResumedFrame".
 */
export interface ResumedFrame {
type: "resumed"
event_id: EventId
epoch: Epoch
seq: Seq
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "PresenceFrame".
 */
export interface PresenceFrame {
type: "presence"
event_id: EventId
watchers: number
}
/**
 * The seats of the socket's account, after an auth frame and whenever they change (PROTOCOL.md "Your own seats").
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "OwnFrame".
 */
export interface OwnFrame {
type: "own"
event_id: EventId
epoch: Epoch
seq: Seq
seats: {
id: number
locked_until: string
}[]
booked: number[]
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "PongFrame".
 */
export interface PongFrame {
type: "pong"
}
/**
 * On the account socket (ws/me/): the account's bookings changed; read them again.
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "BookingsFrame".
 */
export interface BookingsFrame {
type: "bookings"
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "GateCounts".
 */
export interface GateCounts {
entered: number
left: number
}
/**
 * To a console and a door's scanner (?door=1): a check-in moved these gates' totals, or these tickets were revoked.
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "DoorFrame".
 */
export interface DoorFrame {
type: "door"
gates: {
[k: string]: GateCounts
}
revoked: number[]
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ErrorFrame".
 */
export interface ErrorFrame {
type: "error"
code: ("invalid" | "not_authenticated" | "queue_turn_required" | "queue_turn_expired")
}
/**
 * The public state of the event's waiting room, sent to a waiting socket on connecting, on each change and at least every QUEUE_FRAME_SECONDS (PROTOCOL.md "Waiting room").
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "QueueFrame".
 */
export interface QueueFrame {
type: "queue"
event_id: EventId
state: QueueState
reason: ("" | "redis" | "organiser" | "slow" | "randomness")
opens_at: string
on_sale_at: string
drawn: boolean
entrants: number
joined: number
serving: number
rate: number
show_share: number
seats_per_order: number
seats_left: number
holds_end_at: (string | null)
turn_seconds: number
claim_seconds: number
max_active: number
commitment: string
randomness_source: string
generation: number
reread: number
at: string
}
/**
 * The socket's account's place in the waiting room: on auth, and when the draw numbers it (PROTOCOL.md "Waiting room").
 * 
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "PlaceFrame".
 */
export interface PlaceFrame {
type: "place"
event_id: EventId
entry_id: string
number: (number | null)
late: boolean
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ClientFrame".
 */
export interface ClientFrame {
type: ("snapshot" | "ping" | "auth" | "turn")
/**
 * auth: an access token, or null to watch anonymously again; turn: a turn token of the waiting room
 */
token?: (string | null)
[k: string]: unknown
}
