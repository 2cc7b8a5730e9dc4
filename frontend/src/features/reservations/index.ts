export { ReservationPage } from './components/ReservationPage';
export { UserReservations } from './components/UserReservations';
export { reservationPath, type BookedState } from './model/booking';
