import { useMemo, useRef } from 'react';
import { useRevealInScroller } from '../hooks/useRevealBlock';
import type { SeatMapModel } from '../hooks/useSeatMap';
import type { OnSeat, SeatPick } from '../hooks/useMapPointer';
import type { RevealRequest } from '../model/bringIntoView';
import { indexCategories, type CategoryEntry } from '../model/categories';
import type { SeatOverlay } from '../model/seatOverlay';
import { gridText, type MoneyText } from '../model/seatText';
import type { SeatRefusal } from './SeatCanvas';
import { buildVenue, chooseMapKind } from '../model/venue';
import { GridBox } from './GridBox';
import { GridScroller } from './GridScroller';
import { SeatMap } from './SeatMap';
import { VenueLegend } from './VenueLegend';
import { VenueMap } from './VenueMap';

interface EventMapProps {
  map: SeatMapModel;
  categories: readonly CategoryEntry[];
  money: MoneyText;
  onSeat: OnSeat;
  venueName?: string;
  /** The block to bring into view (Find seats). */
  reveal?: RevealRequest | null;
  /** Why the last click on a seat was refused (told in its tooltip on the room's map). */
  refusal?: SeatRefusal | null;
  /** The console's marks (selected, kept back, killed). */
  overlay?: SeatOverlay;
  /** The console: a mouse drag selects the seats in its box. */
  onBox?: (ids: number[], pick: SeatPick) => void;
  /** What a click does, in words (the buyer's, unless given). */
  help?: string;
}

/**
 * An event's seats, for the buyer and the console alike: the room on a canvas when the event has
 * a layout (chooseMapKind), else the grid of seat buttons, with the console's box over it.
 */
export function EventMap({ map, categories, money, onSeat, venueName, reveal = null, refusal = null, overlay, onBox, help }: EventMapProps) {
  const room = map.plan?.room ?? null;
  const kind = chooseMapKind(room, map.plan?.seats ?? []);
  const venue = useMemo(() => (kind === 'venue' && room ? buildVenue(room) : null), [kind, room]);
  const text = useMemo(() => gridText(indexCategories(categories), money, overlay), [categories, money, overlay]);
  const gridRef = useRef<HTMLDivElement>(null);
  useRevealInScroller(gridRef, venue ? null : reveal);
  const layout = map.isPending ? null : map.layout;
  if (!layout) return null;
  if (venue) {
    return (
      <VenueMap
        venue={venue}
        layout={layout}
        store={map.store}
        focus={map.focus}
        categories={categories}
        onSeat={onSeat}
        venueName={venueName}
        reveal={reveal}
        money={money}
        refusal={refusal}
        overlay={overlay}
        onBox={onBox}
        help={help}
      />
    );
  }
  const seats = <SeatMap layout={layout} store={map.store} focus={map.focus} onSeat={onSeat} text={text} overlay={overlay} />;
  return (
    <div className="grid-map">
      <VenueLegend store={map.store} categories={categories} money={money} staff={overlay !== undefined} />
      {onBox ? (
        <GridBox onBox={onBox} help={help}>
          {seats}
        </GridBox>
      ) : (
        <GridScroller ref={gridRef}>{seats}</GridScroller>
      )}
    </div>
  );
}
