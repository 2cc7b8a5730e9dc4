import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createQueuedEvent, eventCard, expect, expectSeat, revokeTurns, seat, test } from './helpers';

// The waiting room (API.md and PROTOCOL.md "Waiting room") on the real server, its tick every
// QUEUE_TICK_SECONDS=0.5 (e2e/e2e.env). Two seats and one buyer shopping at a time: Alice, in the
// room before the on-sale, is drawn number 1 and called; Bob, who comes after it, is numbered
// behind her and waits, and sees the sale end as she books both seats.

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

const title = (page: Page) => page.getByTestId('waiting-room-title');

/**
 * Each server process learns of a new waiting room within 2 s (reservations/waiting_room/
 * rooms_in_memory.py): a test opens its page once the event detail names the room.
 */
async function untilRoomKnown(page: Page, eventId: number) {
  await expect
    .poll(async () => ((await (await page.request.get(`/api/events/${eventId}/`)).json()) as { queue: unknown }).queue, { timeout: 10_000 })
    .not.toBeNull();
}

test('one buyer is called, takes her turn and books the last seats; the other waits and sees them go', async ({ login }) => {
  test.setTimeout(120_000);
  const alice = await login('alice');
  const bob = await login('bob');
  const onSaleIn = 12;
  const eventId = createQueuedEvent('Waiting room night', 1, 2, { opensIn: 0, onSaleIn, maxActive: 1 });
  const onSale = Date.now() + onSaleIn * 1000;
  await untilRoomKnown(alice, eventId);

  // Before the on-sale: the countdown, how the draw works, her place (no number yet), no map.
  await alice.goto(`/events/${eventId}`);
  await expect(title(alice)).toHaveText('The sale has not started yet');
  await expect(alice.getByTestId('sale-countdown')).toHaveText(/^0:\d\d$/);
  await expect(alice.getByRole('heading', { name: 'How the draw works' })).toBeVisible();
  await expect(alice.getByTestId('queue-commitment')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(alice.getByTestId('queue-position')).toContainText('Your number is drawn when the sale starts');
  const entry = (await alice.getByTestId('queue-entry').textContent())!;
  expect(entry.length).toBeGreaterThan(0);
  await expect(seat(alice, 'A1')).toHaveCount(0);
  expect(await violations(alice)).toEqual([]);

  // The on-sale: drawn number 1, called, the turn claimed; the map with her turn's countdown.
  const turnBar = alice.getByTestId('turn-bar');
  await expect(turnBar).toContainText(/Your turn: \d+:\d\d left/, { timeout: onSale - Date.now() + 15_000 });
  // More time, once (WCAG 2.2.1): the turn ends ten minutes later, and the button goes.
  await alice.getByRole('button', { name: 'I need more time' }).click();
  await expect(alice.getByRole('button', { name: 'I need more time' })).toHaveCount(0);
  await expect(alice.getByTestId('turn-countdown')).toHaveText(/^19:[0-5]\d$/);
  await expect(alice.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
  await expectSeat(alice, 'A1', 'available');
  expect(await violations(alice)).toEqual([]);

  // Bob comes after the on-sale: numbered behind her, he waits; his page says where he stands.
  await bob.goto(`/events/${eventId}`);
  await expect(title(bob)).toHaveText('The sale is on');
  await expect(bob.getByTestId('queue-position')).toHaveText('No. 2 · 0 ahead · next in line · 2 seats left');
  await expect(bob.getByRole('link', { name: /The draw’s proof/ })).toHaveAttribute('href', `/api/events/${eventId}/queue/proof/`);
  await expect(bob.getByTestId('queue-announcement')).toHaveText('You are number 2. You are next.');
  await expect(seat(bob, 'A1')).toHaveCount(0);
  expect(await violations(bob)).toEqual([]);

  // The proof lists Alice's entry among those drawn, Bob's among the late.
  const proof = await (await alice.request.get(`/api/events/${eventId}/queue/proof/`)).json();
  expect(proof.order).toEqual([entry]);
  const late = await (await alice.request.get(proof.late_pages)).json();
  expect(late.late).toHaveLength(1);
  expect(late.next).toBeNull();

  // Alice holds both seats, her turn's token on each hold, and books them.
  const locks: (string | null)[] = [];
  alice.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/lock/')) locks.push(r.headers()['queue-turn'] ?? null);
  });
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'held by you');
  await seat(alice, 'A2').click();
  await expectSeat(alice, 'A2', 'held by you');
  expect(locks).toHaveLength(2);
  expect(locks.every((token) => typeof token === 'string' && token.length > 20)).toBe(true);
  // Bob is told every seat is held, and when the last hold ends (holds last 6 s here: Alice books within them).
  await expect(title(bob)).toHaveText('Every seat is held right now');
  await expect(bob.getByText(/the last of those holds ends at \d/)).toBeVisible();
  await alice.getByRole('button', { name: 'Reserve 2 seats' }).click();
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  await expect(alice.getByRole('table', { name: 'Seats' })).toContainText('A2');

  // Bob, still waiting, is told the seats are gone.
  await expect(title(bob)).toHaveText('Sold out', { timeout: 15_000 });
  await expect(bob.getByTestId('queue-announcement')).toHaveText('Sold out: every seat has been booked.');
  await expect(bob.getByTestId('queue-position')).toHaveText('No. 2 · 0 ahead · 0 seats left');
  await expect(seat(bob, 'A1')).toHaveCount(0);
  expect(await violations(bob)).toEqual([]);
});

test('an organiser revokes every pass: the next hold is refused, the running turn gets a fresh pass, and goes on', async ({ login }) => {
  test.setTimeout(90_000);
  const alice = await login('alice');
  const onSaleIn = 8;
  const eventId = createQueuedEvent('Waiting room, revoked', 1, 4, { opensIn: 0, onSaleIn });
  const onSale = Date.now() + onSaleIn * 1000;
  await untilRoomKnown(alice, eventId);
  await alice.goto(`/events/${eventId}`);
  await expect(title(alice)).toHaveText('The sale has not started yet');
  await expect(alice.getByTestId('turn-bar')).toContainText(/Your turn: \d+:\d\d left/, { timeout: onSale - Date.now() + 15_000 });

  const passes: (string | undefined)[] = [];
  alice.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/lock/')) passes.push(r.headers()['queue-turn']);
  });
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'held by you');
  // Let go at once: a hold (SEAT_LOCK_SECONDS=6 here) running out during the revocation would
  // put its own notice where the renewed pass's is awaited.
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'available');

  revokeTurns(eventId);
  // Each server process reads the generation at most once a second (API.md "The turn token").
  await alice.waitForTimeout(2_500);
  const refused = alice.waitForResponse((r) => r.url().endsWith('/lock/') && r.status() === 403);
  await seat(alice, 'A2').click();
  expect(((await (await refused).json()) as { code: string }).code).toBe('queue_turn_required');
  await expect(alice.getByTestId('toast-region')).toHaveText('Your turn goes on: its pass was renewed. Please try that again.');
  await expect(alice.getByTestId('turn-bar')).toBeVisible();

  await seat(alice, 'A2').click();
  await expectSeat(alice, 'A2', 'held by you');
  expect(passes).toHaveLength(3);
  expect(passes[1]).toBe(passes[0]);
  expect(passes[2]).not.toBe(passes[0]);
});

test('a visitor who is not logged in sees the room and is asked to log in', async ({ page }) => {
  const eventId = createQueuedEvent('Waiting room, logged out', 1, 4, { opensIn: 0, onSaleIn: 600 });
  await untilRoomKnown(page, eventId);
  // The event list says when to come.
  await page.goto('/');
  const card = await eventCard(page, 'Waiting room, logged out');
  await expect(card).toContainText(/Waiting room from .+, on sale at .+/);
  await card.getByRole('link', { name: 'Choose seats for Waiting room, logged out' }).click();
  await expect(title(page)).toHaveText('The sale has not started yet');
  await expect(page.getByText('Log in to take a place in the waiting room.')).toBeVisible();
  await page.getByTestId('waiting-room').getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`/login\\?next=%2Fevents%2F${eventId}$`));
});
