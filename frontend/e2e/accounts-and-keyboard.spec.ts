import { createEvent, eventCard, expect, expectSeat, openEvent, seat, test } from './helpers';

test('register a new account, land logged in, log out', async ({ page }) => {
  const username = `carol${Date.now().toString(36)}`;
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await expect(page.getByRole('alert')).toBeVisible(); // Django's password rules, in words
  await page.getByLabel('Password').fill('a-much-longer-pass-9');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.goto('/reservations');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the event list shows name, date, venue, price range and seats left, and links to the map', async ({ page }) => {
  createEvent('Listed gala', 2, 5, 1, '35.50');
  await page.goto('/');
  const card = await eventCard(page, 'Listed gala');
  await expect(card).toContainText('Test Hall');
  await expect(card).toContainText('35.50');
  await expect(card).toContainText('10 of 10');
  await card.getByRole('link', { name: 'Choose seats for Listed gala' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Listed gala' })).toBeVisible();
});

test('the map works from the keyboard alone', async ({ login }) => {
  const eventId = createEvent('Keys only', 2, 4);
  const alice = await login('alice');
  await openEvent(alice, eventId);
  // Tab into the map: one stop, on the first seat.
  await seat(alice, 'A1').focus();
  await alice.keyboard.press('ArrowRight');
  await expect(seat(alice, 'A2')).toBeFocused();
  await alice.keyboard.press('ArrowDown');
  await expect(seat(alice, 'B2')).toBeFocused();
  await alice.keyboard.press('Enter');
  await expectSeat(alice, 'B2', 'held by you');
  await expect(seat(alice, 'B2')).toHaveAttribute('aria-pressed', 'true');
  await alice.keyboard.press('Space');
  await expectSeat(alice, 'B2', 'available');
  // Only one seat is in the Tab order.
  await expect(alice.locator('[data-seat-id][tabindex="0"]')).toHaveCount(1);
});
