import { describe, expect, it } from 'vitest';
import { aheadBand, nextAnnouncement, type Announcement, type AnnouncementInput } from './announcement';

const waiting = (ahead: number, patch: Partial<AnnouncementInput> = {}): AnnouncementInput => ({
  state: 'admitting',
  reason: '',
  number: 12_345,
  ahead,
  called: false,
  likelyGone: false,
  joined: true,
  ...patch,
});

/** The texts a screen reader would hear as the inputs come one after another. */
function spoken(inputs: AnnouncementInput[]): string[] {
  let current: Announcement | null = null;
  const heard: string[] = [];
  for (const input of inputs) {
    const next = nextAnnouncement(current, input, 'en-US');
    if (next !== current) heard.push(next.text);
    current = next;
  }
  return heard;
}

describe('aheadBand', () => {
  it('puts counts in coarse bands', () => {
    expect([0, 1, 9, 10, 49, 50, 4999, 5000, 99_999, 100_000, 2_000_000].map(aheadBand)).toEqual([0, 1, 1, 2, 2, 3, 6, 7, 9, 10, 10]);
  });
});

describe('nextAnnouncement', () => {
  it('is not read again while those ahead stay in one band', () => {
    expect(spoken([waiting(4321), waiting(4310), waiting(4100), waiting(1001)])).toEqual([
      'You are number 12,345. Fewer than 5,000 people are ahead of you.',
    ]);
  });

  it('is read again when the count crosses a band, and when the number is called', () => {
    expect(spoken([waiting(1200), waiting(999), waiting(600), waiting(40), waiting(0), waiting(0, { called: true })])).toEqual([
      'You are number 12,345. Fewer than 5,000 people are ahead of you.',
      'You are number 12,345. Fewer than 1,000 people are ahead of you.',
      'You are number 12,345. Fewer than 50 people are ahead of you.',
      'You are number 12,345. You are next.',
      'Your number is called: it is your turn.',
    ]);
  });

  it('is read again on a change of state, not on a change of pace', () => {
    expect(
      spoken([
        waiting(700),
        waiting(690, { reason: 'slow' }),
        waiting(690, { state: 'paused', reason: 'redis' }),
        waiting(690, { state: 'paused', reason: 'organiser' }),
        waiting(690),
        waiting(690, { state: 'sold_out' }),
      ]),
    ).toEqual([
      'You are number 12,345. Fewer than 1,000 people are ahead of you.',
      'The sale is paused for a moment. Your place is kept.',
      'The organiser has paused the sale. Your place is kept.',
      'You are number 12,345. Fewer than 1,000 people are ahead of you.',
      'Sold out: every seat has been booked.',
    ]);
  });

  it('warns once that those ahead may take every seat, and does not flicker back', () => {
    expect(spoken([waiting(700), waiting(690, { likelyGone: true }), waiting(680), waiting(670, { likelyGone: true })])).toEqual([
      'You are number 12,345. Fewer than 1,000 people are ahead of you.',
      'You are number 12,345. Fewer than 1,000 people are ahead of you. Those ahead of you are likely to take the seats that are left.',
    ]);
  });

  it('tells a logged-out visitor and an undrawn entrant what they can know', () => {
    expect(spoken([waiting(0, { state: 'pre_queue', joined: false }), waiting(0, { state: 'admitting', joined: false })])).toEqual([
      'The waiting room is open. Log in to take a place.',
      'The sale is on. Log in to take a place.',
    ]);
    expect(spoken([waiting(0, { state: 'pre_queue', number: null }), waiting(0, { state: 'draw', number: null }), waiting(0, { number: null }), waiting(5)])).toEqual([
      'You are in the waiting room. Your number is drawn when the sale starts.',
      'The sale has started. The order is being drawn.',
      'The sale is on. Your number comes in a moment.',
      'You are number 12,345. Fewer than 10 people are ahead of you.',
    ]);
  });
});
