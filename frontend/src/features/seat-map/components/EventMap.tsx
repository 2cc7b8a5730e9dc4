import { useMemo, useRef } from 'react';
import { useRevealInScroller } from '../hooks/useRevealBlock';
import type { SeatMapModel } from '../hooks/useSeatMap';
import { indexCategories } from '../model/categories';
import { gridText } from '../model/seatText';
import { buildVenue, chooseMapKind } from '../model/venue';
import { GridBox } from './GridBox';
import { GridScroller } from './GridScroller';
import { SeatMap } from './SeatMap';
import { VenueLegend } from './VenueLegend';
import { VenueMap, type VenueMapProps } from './VenueMap';

/** The room's props but the seats', which come with the map; `onBox` and `help` serve the grid too. */
type EventMapProps = Omit<VenueMapProps, 'venue' | 'layout' | 'store' | 'focus'> & { map: SeatMapModel };

/**
 * An event's seats, for the buyer and the console alike: the room on a canvas when the event has
 * a layout (chooseMapKind), else the grid of seat buttons, with the console's box over it.
 */
export function EventMap({ map, ...props }: EventMapProps) {
  const { categories, money, onSeat, reveal = null, overlay, onBox, help } = props;
  const room = map.plan?.room ?? null;
  const kind = chooseMapKind(room, map.plan?.seats ?? []);
  const venue = useMemo(() => (kind === 'venue' && room ? buildVenue(room) : null), [kind, room]);
  const text = useMemo(() => gridText(indexCategories(categories), money, overlay), [categories, money, overlay]);
  const gridRef = useRef<HTMLDivElement>(null);
  useRevealInScroller(gridRef, venue ? null : reveal);
  const layout = map.isPending ? null : map.layout;
  if (!layout) return null;
  if (venue) return <VenueMap {...props} venue={venue} layout={layout} store={map.store} focus={map.focus} />;
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
