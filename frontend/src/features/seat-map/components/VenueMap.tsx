import { useMemo, useRef, useState } from 'react';
import { useRevealInScroller } from '../hooks/useRevealBlock';
import { indexCategories, type CategoryEntry } from '../model/categories';
import type { SeatOverlay } from '../model/seatOverlay';
import { formatCount } from '../../../lib/format';
import { listText, type MoneyText } from '../model/seatText';
import { SeatCanvas, type SeatCanvasProps } from './SeatCanvas';
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

/** The canvas's props, less what the room works out for it; the list view and the key take them too. */
export type VenueMapProps = Omit<SeatCanvasProps, 'categories' | 'label' | 'sections' | 'money' | 'overlay'> & {
  categories: readonly CategoryEntry[];
  venueName?: string;
  money: MoneyText;
  /** The console's marks (selected, kept back, killed) and its key to them. */
  overlay?: SeatOverlay;
};

/** The room, two ways: drawn (Map, for pointer and eyes) or as a list of real buttons (List, for keyboard and screen reader). */
export function VenueMap(props: VenueMapProps) {
  const { venue, layout, store, focus, categories, onSeat, venueName, reveal = null, money, overlay } = props;
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
        <SeatCanvas {...props} categories={index} label={label} sections={layout.sections} />
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
