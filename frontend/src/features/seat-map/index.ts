// The seat map: one event's seats in a store (model/), read on arrival (api/, hooks/useSeatMap),
// drawn as a grid, a list or a room on a canvas (components/). Live updates, holds and Find
// seats are features of their own that work on this store.
export { type ApiSeat, type PushedSeat, type Seat, type SeatInfo } from './model/seat';
export { drawnKind, seatKind, type DrawnKind } from './model/seatKinds';
export { KEPT, KILLED, SeatOverlay, type OffSaleKind } from './model/seatOverlay';
export { SeatStore } from './model/seatStore';
export {
  decodeOwnHolds,
  decodeSeatStates,
  type ApiOwnHolds,
  type ApiSeatMap,
  type ApiSeatStates,
  type SeatStates,
  type StreamPoint,
} from './model/seatPlan';
export { RovingFocus } from './model/rovingFocus';
export { REVEAL_MARGIN, type RevealRequest } from './model/bringIntoView';
export { buildLegend, type ApiCategory, type CategoryEntry } from './model/categories';
export { numberRuns, seatPlace, seatPlaces, sectionText, type MoneyText } from './model/seatText';
export { buildVenue, chooseMapKind, seatsInBox, type ApiLayout } from './model/venue';
export { buildLayout, type MapLayout } from './model/layout';
export { useSeatMap } from './hooks/useSeatMap';
export { useBookedCount, useHeldSeats } from './hooks/useSeat';
export { EventMap } from './components/EventMap';
export { type SeatRefusal } from './components/SeatCanvas';
export { type SeatPick } from './hooks/useMapPointer';
export { type CanvasWithProbe } from './components/canvasProbe';
