// Find seats: the best block the server can hold for the buyer, and the alternatives.
export { FindSeats } from './components/FindSeats';
