// The live connection: the event's socket keeping a seat map's store current, and its status.
export { ConnectionStatus } from './components/ConnectionStatus';
export { useFeedStatus, useLiveFeed, useQueueFeed } from './hooks/useLiveFeed';
