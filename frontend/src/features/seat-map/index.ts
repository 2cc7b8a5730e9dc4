export { SeatSelectorPage } from './components/SeatSelector';
