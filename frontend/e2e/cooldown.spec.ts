import type { APIRequestContext, Page } from '@playwright/test';
import { createEvent, expect, openEvent, PASSWORD, test, updateSeats } from './helpers';

// Issue 40, "words a buyer understands": a buyer whose run of holds of an event reached its cap
// (SEAT_HOLD_MAX_SECONDS, 600 on the e2e server) is told in the basket, before any click, that
// they may hold seats again at hh:mm (SEAT_HOLD_COOLDOWN_SECONDS, 300, after their last hold
// ended), and a click in that time is answered with the same words without a lock sent. The
// run's beginning is the test's set-up, made in the database as the server's own cap tests make
// it (reservations/tests: a hold that began long ago); the rest is the server's.

const seatButton = (page: Page, id: number) => page.locator(`button[data-seat-id="${id}"]`);
const heldSeats = (page: Page) => page.getByRole('list', { name: 'Held seats' }).getByRole('listitem');

async function bearer(request: APIRequestContext, username: string) {
  const answer = await request.post('/api/token/', { data: { username, password: PASSWORD } });
  expect(answer.status()).toBe(200);
  const headers = { Authorization: `Bearer ${((await answer.json()) as { access: string }).access}` };
  const me = (await (await request.get('/api/me/', { headers })).json()) as { id: number };
  const get = async <T,>(path: string) => {
    const got = await request.get(path, { headers });
    expect(got.status(), await got.text()).toBe(200);
    return (await got.json()) as T;
  };
  return { headers, id: me.id, get };
}

/** The basket's words for a buyer who may hold again at `at` (ISO), on the page's own clock. */
async function wordsFor(page: Page, at: string): Promise<string> {
  const clock = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso)), at);
  return `You have had seats of this event on hold for as long as one visit may. You can hold seats again from ${clock}; until then they stay free for others.`;
}

test('a buyer whose holds reached their cap is told in the basket when they may hold again, before any click', async ({ login, request }) => {
  const eventId = createEvent('Cooldown', 2, 6);
  const alice = await bearer(request, 'alice');
  const seats = (await alice.get<{ seats: { id: number; label: string }[] }>(`/api/events/${eventId}/seats/`)).seats;
  const ids = new Map(seats.map((s) => [s.label, s.id]));
  const page = await login('alice');
  await openEvent(page, eventId);
  const hint = page.getByTestId('basket-hint');
  await expect(hint).toHaveText('Click a free seat to hold it for a few minutes.');

  // Alice's run of holds of the event began 595 s ago (B6, let go a moment ago): 5 s to its cap,
  // less than a hold lasts (SEAT_LOCK_SECONDS, 6 on the e2e server).
  expect(updateSeats(eventId, { id: ids.get('B6')! }, { released_by_id: alice.id, released_held_since: { secondsAgo: 595 }, released_at: { secondsAgo: 1 } })).toBe(1);
  // A seat taken now ends with the run, at its cap, and then she holds nothing.
  await seatButton(page, ids.get('A1')!).click();
  await expect(heldSeats(page)).toHaveCount(1);
  await expect(heldSeats(page)).toHaveCount(0, { timeout: 12_000 });

  // The basket says when, in her clock, as the refusal of a lock would: no click needed.
  const run = await alice.get<{ run_ends_at: string | null; hold_again_at: string }>(`/api/events/${eventId}/holds/run/`);
  expect(run.run_ends_at).toBeNull();
  const refused = await request.post(`/api/events/${eventId}/seats/${ids.get('B1')!}/lock/`, { headers: alice.headers, data: {} });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { hold_again_at: string }).hold_again_at).toBe(run.hold_again_at);
  await expect(hint).toHaveText(await wordsFor(page, run.hold_again_at), { timeout: 4_000 });

  // A click in that time says the same, and sends no lock.
  const asked: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/lock/')) asked.push(r.url());
  });
  await seatButton(page, ids.get('A3')!).click();
  await expect(page.getByTestId('toast-region')).toHaveText(await wordsFor(page, run.hold_again_at));
  await expect(seatButton(page, ids.get('A3')!)).toHaveAccessibleName(/available$/);
  expect(asked).toEqual([]);
  // And Find seats: the same words where its answers go, and no search sent.
  page.on('request', (r) => {
    if (r.url().includes('/best/')) asked.push(r.url());
  });
  await page.getByTestId('find-seats-submit').click();
  await expect(page.getByTestId('find-seats-result')).toHaveText(await wordsFor(page, run.hold_again_at));
  expect(asked).toEqual([]);

  // On arrival too.
  await openEvent(page, eventId);
  await expect(hint).toHaveText(await wordsFor(page, run.hold_again_at));

  // When the cooldown ends the words go by themselves, and a click holds a seat again. (Its end
  // brought near: her last hold ended nearly SEAT_HOLD_COOLDOWN_SECONDS ago, once the sweeper
  // has turned A1 back.)
  await expect.poll(() => updateSeats(eventId, { released_by_id: alice.id, status: 'available' }, { released_at: { secondsAgo: 300 - 8 } }), { timeout: 15_000 }).toBe(2);
  await openEvent(page, eventId);
  const nearer = await alice.get<{ hold_again_at: string }>(`/api/events/${eventId}/holds/run/`);
  expect(Date.parse(nearer.hold_again_at)).toBeGreaterThan(Date.now());
  await expect(hint).toHaveText(await wordsFor(page, nearer.hold_again_at));
  await expect(hint).toHaveText('Click a free seat to hold it for a few minutes.', { timeout: 10_000 });
  await seatButton(page, ids.get('A3')!).click();
  await expect(heldSeats(page)).toHaveCount(1);
  expect(asked.filter((url) => url.includes('/lock/')).length).toBe(1);
});
