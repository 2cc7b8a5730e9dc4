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
export type SeatStatus = ("available" | "locked" | "reserved")
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ServerFrame".
 */
export type ServerFrame = (SnapshotFrame | SeatsFrame | ResumedFrame | PresenceFrame | OwnFrame | PongFrame | ErrorFrame)
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
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ErrorFrame".
 */
export interface ErrorFrame {
type: "error"
code: ("invalid" | "not_authenticated")
}
/**
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ClientFrame".
 */
export interface ClientFrame {
type: ("snapshot" | "ping" | "auth")
/**
 * auth only: an access token, or null to watch anonymously again
 */
token?: (string | null)
[k: string]: unknown
}
