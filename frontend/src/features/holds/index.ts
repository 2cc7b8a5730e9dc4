// Holds and checkout: holding and releasing seats, the basket, the hold timer, reserving.
export { type Outcome } from './model/seatActions';
export { useSeatActions } from './hooks/useSeatActions';
export { Basket, BasketBar } from './components/Basket';
export { lapsedText, mergeLapse, type Lapse } from './model/messages';
export { bookingReachesTheLimit, mostAtOnce, mostAtOnceText, pastLimitText, TURN_DONE_AT_THE_LIMIT, type BuyerState } from './model/limits';
export { HoldWarning } from './components/HoldWarning';
export { lockSeats, unlockSeat } from './api/seats';
export { useNow } from './hooks/useNow';
export { formatCountdown } from './model/countdown';
