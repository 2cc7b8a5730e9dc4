import { describe, expect, it } from 'vitest';
import { REVEAL_MARGIN, blockOnPlan, boxAround, scrollToShow, scrolledBy, type Box } from './bringIntoView';
import { buildVenue } from './venue';

const box = (left: number, top: number, width: number, height: number): Box => ({ left, top, right: left + width, bottom: top + height });

describe('the box around a block', () => {
  it('spans every seat, and is nothing for no seats', () => {
    expect(boxAround([box(10, 50, 20, 20), box(40, 50, 20, 20), box(25, 80, 20, 20)])).toEqual({ left: 10, top: 50, right: 60, bottom: 100 });
    expect(boxAround([])).toBeNull();
  });

  it('on the plan: the seats of the block, half a seat around each centre', () => {
    const venue = buildVenue({
      event_id: 1,
      width: 200,
      height: 100,
      seats: [
        { id: 1, x: 10, y: 10 },
        { id: 2, x: 20, y: 10 },
        { id: 3, x: 30, y: 10 },
        { id: 4, x: 10, y: 90 },
      ],
      shapes: [],
    });
    const half = venue.seatSize / 2;
    expect(blockOnPlan(venue, [2, 3])).toEqual({ left: 20 - half, top: 10 - half, right: 30 + half, bottom: 10 + half });
    expect(blockOnPlan(venue, [99])).toBeNull(); // not on the plan
  });
});

describe('scrolling a box to show a block', () => {
  // A box 400 × 300 on screen at (100, 50), scrolled to (0, 200) of at most (600, 2000).
  const port = box(100, 50, 400, 300);
  const at = { left: 0, top: 200 };
  const max = { left: 600, top: 2000 };

  it('leaves a block that is on screen where it is', () => {
    expect(scrollToShow(box(200, 150, 80, 20), port, at, max, 'centre')).toBeNull();
  });

  it('centres a block below the fold, on the axis that needs it only', () => {
    const block = box(200, 900, 80, 20); // 830 px down from the box's middle (200)
    expect(scrollToShow(block, port, at, max, 'centre')).toEqual({ left: 0, top: 200 + 910 - 200 });
  });

  it('centres a block off to the left or above, as far as the box scrolls', () => {
    expect(scrollToShow(box(-100, 150, 40, 20), port, { left: 500, top: 200 }, max, 'centre')).toEqual({ left: 500 - 380, top: 200 });
    expect(scrollToShow(box(200, -400, 40, 20), port, at, max, 'centre')).toEqual({ left: 0, top: 0 }); // not past the start
    expect(scrollToShow(box(200, 9000, 40, 20), port, at, max, 'centre')).toEqual({ left: 0, top: 2000 }); // nor past the end
  });

  it('nearest: brings the block just inside the edge it is beyond', () => {
    expect(scrollToShow(box(200, 900, 80, 20), port, at, max, 'nearest')).toEqual({ left: 0, top: 200 + 920 - (350 - REVEAL_MARGIN) });
    expect(scrollToShow(box(200, 20, 80, 20), port, at, max, 'nearest')).toEqual({ left: 0, top: 200 - (50 + REVEAL_MARGIN - 20) });
  });

  it('a block taller than the box shows its start', () => {
    expect(scrollToShow(box(200, 500, 80, 600), port, at, max, 'centre')).toEqual({ left: 0, top: 200 + 500 - (50 + REVEAL_MARGIN) });
  });

  it('answers nothing when the box cannot scroll (a page that fits)', () => {
    expect(scrollToShow(box(200, 900, 80, 20), port, { left: 0, top: 0 }, { left: 0, top: 0 }, 'nearest')).toBeNull();
  });

  it('tells where the block is once the box scrolled', () => {
    expect(scrolledBy(box(200, 900, 80, 20), at, { left: 0, top: 910 })).toEqual(box(200, 190, 80, 20));
  });
});
