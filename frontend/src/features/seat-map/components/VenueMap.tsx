import { useMemo, useRef, useState } from 'react';
import { useRevealInScroller } from '../hooks/useRevealBlock';
import type { RevealRequest } from '../model/bringIntoView';
import { indexCategories, type CategoryEntry } from '../model/categories';
import type { MapLayout } from '../model/layout';
import type { RovingFocus } from '../model/rovingFocus';
import type { SeatOverlay } from '../model/seatOverlay';
import type { SeatStore } from '../model/seatStore';
import { formatCount } from '../../../lib/format';
import { listText, type MoneyText } from '../model/seatText';
import type { Venue } from '../model/venue';
import { SeatCanvas, type OnSeat, type SeatPick, type SeatRefusal } from './SeatCanvas';
import { SeatMap } from './SeatMap';
import { SectionJump } from './SectionJump';
import { VenueLegend } from './VenueLegend';

export type VenueView = 'map' | 'list';

const VIEW_KEY = 'seatmap.view';

function storedView(): VenueView {
  try {
    return globalThis.localStorage?.getItem(VIEW_KEY) === 'list' ? 'list' : 'map';
  } catch {
    return 'map';
  }
}

interface VenueMapProps {
  venue: Venue;
  /** Sections → rows → seats, for the list view. */
  layout: MapLayout;
  store: SeatStore;
  focus: RovingFocus;
  categories: readonly CategoryEntry[];
  onSeat: OnSeat;
  venueName?: string;
  /** The block to bring into view (Find seats). */
  reveal?: RevealRequest | null;
  /** How amounts read, in the event's currency. */
  money: MoneyText;
  /** Why the last click on a seat was refused (told in its tooltip on the map). */
  refusal?: SeatRefusal | null;
  /** The console's marks (selected, kept back, killed) and its key to them. */
  overlay?: SeatOverlay;
  /** The console: a mouse drag on the plan selects the seats in its box. */
  onBox?: (ids: number[], pick: SeatPick) => void;
  /** What a click on the plan does, in words (the buyer's, unless given). */
  help?: string;
}

/** The room, two ways: drawn (Map, for pointer and eyes) or as a list of real buttons (List, for keyboard and screen reader). */
export function VenueMap({
  venue,
  layout,
  store,
  focus,
  categories,
  onSeat,
  venueName,
  reveal = null,
  money,
  refusal = null,
  overlay,
  onBox,
  help,
}: VenueMapProps) {
  const [view, setView] = useState<VenueView>(storedView);
  const listRef = useRef<HTMLDivElement>(null);
  useRevealInScroller(listRef, reveal); // in the Map view the canvas shows it
  const index = useMemo(() => indexCategories(categories), [categories]);
  const text = useMemo(() => listText(index, money, overlay), [index, money, overlay]);
  const choose = (next: VenueView) => {
    setView(next);
    try {
      globalThis.localStorage?.setItem(VIEW_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  };
  const prices = categories.map((c) => `${c.name} ${money(c.price)}`).join(', ');
  const label =
    `Plan of ${venueName || 'the room'}: ${formatCount(venue.ids.length)} seats${prices ? `; ${prices}` : ''}. ` +
    'Arrow keys go from seat to seat, Enter holds or releases one; the List view lists every seat.';

  return (
    <div className="venue" data-view={view}>
      <div className="venue__bar">
        <div className="view-switch" role="group" aria-label="Show seats as">
          <button type="button" className="button button--small" aria-pressed={view === 'map'} onClick={() => choose('map')} data-testid="view-map">
            Map
          </button>
          <button type="button" className="button button--small" aria-pressed={view === 'list'} onClick={() => choose('list')} data-testid="view-list">
            List
          </button>
        </div>
        {/* One key for both views: the List paints its seats as the Map draws them. */}
        <VenueLegend categories={categories} store={store} money={money} staff={overlay !== undefined} />
      </div>
      {view === 'map' ? (
        <SeatCanvas
          venue={venue}
          layout={layout}
          store={store}
          categories={index}
          focus={focus}
          onSeat={onSeat}
          label={label}
          reveal={reveal}
          sections={layout.sections}
          refusal={refusal}
          money={money}
          overlay={overlay}
          onBox={onBox}
          help={help}
        />
      ) : (
        <>
          <SectionJump layout={layout} focus={focus} list={listRef} />
          <div ref={listRef} className="seat-map__scroll">
            <SeatMap
              layout={layout}
              store={store}
              focus={focus}
              onSeat={onSeat}
              text={text}
              focusTips
              windowed
              stage={false}
              data-testid="seat-list"
              aria-label="Seats by section and row"
              overlay={overlay}
            />
          </div>
        </>
      )}
    </div>
  );
}
