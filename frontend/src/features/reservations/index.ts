export { UserReservations } from './components/UserReservations';
export { reservationsKey } from './hooks/useReservations';
