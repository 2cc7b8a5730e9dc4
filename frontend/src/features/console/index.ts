// The organiser's console: the sale live on the buyers' socket, seats kept back, killed and
// released, the box office, bookings reseated and refunded, the purchase limit; staff only.
export { ConsolePage, StaffRoute } from './components/ConsolePage';
export { ReceiptPage } from './components/ReceiptPage';
export { consoleAbilities, consolePermissions } from './model/abilities';
