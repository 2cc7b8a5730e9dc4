// The door: a scanner of signed tickets that works offline, and the counts a console shows.
export { DoorCounts } from './components/DoorCounts';
export { DoorPage } from './components/DoorPage';
export { useDoorCounts } from './hooks/useDoorCounts';
