export { UserReservations } from './components/UserReservations';
