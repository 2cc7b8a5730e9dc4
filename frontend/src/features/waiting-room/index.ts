// The waiting room: before an event's sale and while it lasts, the buyer's place, number and
// turn; the map is shown during the turn, and seat calls carry its token.
export { useWaitingRoom } from './hooks/useWaitingRoom';
export { WaitingRoomScreen } from './components/WaitingRoomScreen';
export { TurnBar } from './components/TurnBar';
