import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { apiAs, createEvent, expect, expectSeat, openEvent, seat, test } from './helpers';

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

test('no WCAG A/AA violations found by axe on the main screens', async ({ login, page, request }) => {
  test.setTimeout(150_000); // axe over a whole page takes seconds on a busy machine
  const eventId = createEvent('Accessible evening', 3, 8);

  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Accessible evening' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  const alice = await login('alice');
  await openEvent(alice, eventId);
  const bob = await apiAs(request, 'bob');
  const [b1, b2] = await Promise.all(['B1', 'B2'].map((l) => bob.seatId(eventId, l)));
  await bob.lock(eventId, b1);
  await bob.reserve(eventId, [b1]);
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'held by you');
  await expectSeat(alice, 'B1', 'booked');
  await bob.lock(eventId, b2); // last: it lasts SEAT_LOCK_SECONDS=6 here, slow machines included
  await expectSeat(alice, 'B2', 'held by someone else');
  expect(await violations(alice)).toEqual([]);

  // Her hold lasts SEAT_LOCK_SECONDS=6 here, and axe can take most of that on a busy machine: she
  // lets it run out and holds A1 afresh, so Reserve comes within a whole hold, not its last moment.
  await expect(seat(alice, 'A1')).toHaveAccessibleName(/^A1, .*, available$/, { timeout: 10_000 });
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'held by you');
  await alice.getByRole('button', { name: 'Reserve 1 seat' }).click();
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  expect(await violations(alice)).toEqual([]);
  await alice.getByRole('link', { name: 'My reservations', exact: true }).click();
  await expect(alice.getByRole('button', { name: /^Cancel reservation/ }).first()).toBeVisible();
  expect(await violations(alice)).toEqual([]);
});
