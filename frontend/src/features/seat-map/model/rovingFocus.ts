import { Listeners } from '../../../lib/listeners';
import { SeatListeners } from './seatListeners';

/**
 * Which seat is the map's single Tab stop ("roving tabindex"): Tab enters the map once, arrows
 * move within it. Only the two seats whose state changes are told.
 */
export class RovingFocus {
  private active: number | null = null;
  private chosenByUser = false;
  private listeners = new SeatListeners();
  private moves = new Listeners();

  isActive = (id: number): boolean => this.active === id;

  get activeId(): number | null {
    return this.active;
  }

  /** Whether a person put the focus stop where it is (not the page's default first seat). */
  get chosen(): boolean {
    return this.chosenByUser;
  }

  setActive(id: number, byUser = true): void {
    const newlyChosen = byUser && !this.chosenByUser;
    if (byUser) this.chosenByUser = true;
    if (this.active === id) {
      // The same seat, now chosen by a person: the map's cursor shows it from now on.
      if (newlyChosen) this.moves.tell();
      return;
    }
    const before = this.active;
    this.active = id;
    this.listeners.notify(before === null ? [id] : [before, id]);
    this.moves.tell();
  }

  /** Told whenever the stop moves (a windowed list keeps the stop's row rendered). */
  subscribeActive = this.moves.subscribe;

  subscribe(id: number, listener: () => void): () => void {
    return this.listeners.subscribe(id, listener);
  }
}
