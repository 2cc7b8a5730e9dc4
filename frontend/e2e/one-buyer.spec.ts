import { apiAs, createEvent, expect, expectLive, openEvent, PASSWORD, test } from './helpers';

// One buyer, one truth (PROTOCOL.md "Your own seats"): every page of one account shows its
// holds as its own, the same basket and the same watchers; and Find seats asks before it adds to
// holds the buyer already has. Holds last SEAT_LOCK_SECONDS=6 on the e2e server: each check
// follows its click.

const seatButton = (page: import('@playwright/test').Page, id: number) => page.locator(`button[data-seat-id="${id}"]`);
const heldSeats = (page: import('@playwright/test').Page) => page.getByRole('list', { name: 'Held seats' }).getByRole('listitem');

test('one account in two pages agrees on its holds, its basket and the people watching', async ({ login, request }) => {
  const eventId = createEvent('Two tabs', 2, 6);
  const ids = await (await apiAs(request, 'alice')).seatIds(eventId);
  const first = await login('alice');
  const second = await first.context().newPage(); // the same browser: a second tab
  await openEvent(first, eventId);
  await openEvent(second, eventId);

  await seatButton(first, ids.get('A2')!).click();
  await expect(seatButton(first, ids.get('A2')!)).toHaveAccessibleName(/held by you/);
  // The other tab never called the API: the socket told it whose the seat is.
  await expect(seatButton(second, ids.get('A2')!)).toHaveAccessibleName(/held by you/);
  await expect(heldSeats(second)).toHaveCount(1);

  // Released in the second tab, gone from the first one's basket too.
  await seatButton(second, ids.get('A2')!).click();
  await expect(heldSeats(first)).toHaveCount(0);
  await expect(seatButton(first, ids.get('A2')!)).toHaveAccessibleName(/available/);

  // Two tabs of one account are one person watching.
  await expect(first.getByText('1 person watching')).toBeVisible();
  await expect(second.getByText('1 person watching')).toBeVisible();
});

test('a reload keeps holds made in another tab as the buyer’s own, and another buyer never sees them as theirs', async ({ login, request }) => {
  const eventId = createEvent('Reload', 2, 6);
  const ids = await (await apiAs(request, 'alice')).seatIds(eventId);
  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);
  await seatButton(alice, ids.get('B3')!).click();
  await expect(seatButton(bob, ids.get('B3')!)).toHaveAccessibleName(/held by someone else/);
  const again = await alice.context().newPage();
  await openEvent(again, eventId);
  await expect(seatButton(again, ids.get('B3')!)).toHaveAccessibleName(/held by you/);
  await expect(heldSeats(bob)).toHaveCount(0);
});

test('Find seats asks before adding to earlier holds, and replaces them when asked to', async ({ login, request }) => {
  const eventId = createEvent('Ask first', 3, 8);
  const ids = await (await apiAs(request, 'alice')).seatIds(eventId);
  const alice = await login('alice');
  await openEvent(alice, eventId);
  await seatButton(alice, ids.get('C8')!).click();
  await expect(heldSeats(alice)).toHaveCount(1);

  await alice.getByTestId('find-seats-count').fill('2');
  const best = alice.waitForRequest((r) => r.url().endsWith('/best/'), { timeout: 2_000 }).catch(() => null);
  await alice.getByTestId('find-seats-submit').click();
  const question = alice.getByTestId('find-seats-question');
  await expect(question).toContainText('You already hold 1 seat');
  expect(await best).toBeNull(); // nothing was held before the buyer answered
  await expect(heldSeats(alice)).toHaveCount(1);

  await alice.getByTestId('find-seats-replace').click();
  await expect(alice.getByTestId('find-seats-result')).toContainText('Found 2 seats together');
  await expect(heldSeats(alice)).toHaveCount(2);
  await expect(seatButton(alice, ids.get('C8')!)).toHaveAccessibleName(/available/);
  await expectLive(alice);
});

test('on a phone, two pages of one account agree too: the seat is theirs and the bar counts it', async ({ browser, request }) => {
  const eventId = createEvent('Two phones', 2, 6);
  const ids = await (await apiAs(request, 'alice')).seatIds(eventId);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    const first = await context.newPage();
    await first.goto('/login');
    await first.getByLabel('Username').fill('alice');
    await first.getByLabel('Password').fill(PASSWORD);
    await first.getByRole('button', { name: 'Log in' }).click();
    await expect(first.getByRole('button', { name: 'Log out' })).toBeVisible();
    const second = await context.newPage();
    await openEvent(first, eventId);
    await openEvent(second, eventId);

    await seatButton(first, ids.get('B4')!).tap();
    await expect(seatButton(second, ids.get('B4')!)).toHaveAccessibleName(/held by you/);
    await expect(second.getByTestId('basket-bar-count')).toHaveText('1 seat');
    await expect(second.getByTestId('basket-bar')).toBeInViewport();
  } finally {
    await context.close();
  }
});
