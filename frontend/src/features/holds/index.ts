// Holds and checkout: holding and releasing seats, the basket, the hold timer, reserving.
export { type Outcome } from './model/seatActions';
export { useSeatActions } from './hooks/useSeatActions';
export { Basket } from './components/Basket';
export { HoldWarning } from './components/HoldWarning';
export { lockSeats, unlockSeat } from './api/seats';
