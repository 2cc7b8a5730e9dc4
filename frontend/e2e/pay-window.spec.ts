import type { Page } from '@playwright/test';
import { createEvent, expect, expectLive, expectSeat, openEvent, seat, test } from './helpers';

/**
 * The pay window (API.md "Paying") in three browsers: alice reserves on an event paid at the
 * venue, her seat is `paying` on bob's map at once, the organiser settles it in the console,
 * and it turns booked on bob's map while alice's order page says so and shows her ticket, with
 * no reload.
 */

async function openConsole(page: Page, eventId: number): Promise<void> {
  await page.goto(`/console/${eventId}`);
  await expect(page.getByTestId('console')).toBeVisible();
  await expectLive(page);
}

test('an order paid at the venue is paying on every map until the box office settles it, then booked', async ({ login }) => {
  const eventId = createEvent('Pay at the door', 1, 4, 1, '50.00', ['--paid-with', 'venue']);
  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);

  await seat(alice, 'A2').click();
  await expectSeat(alice, 'A2', 'held by you');
  await alice.getByRole('button', { name: 'Reserve 1 seat' }).click();

  await expect(alice.getByRole('heading', { name: 'Pay to keep your seats' })).toBeVisible();
  await expectSeat(bob, 'A2', 'being paid for');
  await alice.getByRole('button', { name: /^Pay now for #/ }).click();
  await expect(alice.getByTestId('pay-instructions')).toContainText('at the box office');
  const order = (await alice.getByTestId('confirmation-reference').textContent())!.replace('#', '');

  const organiser = await login('organiser');
  await openConsole(organiser, eventId);
  await expect(organiser.getByTestId('money-awaiting')).toHaveText('€50.00');
  const bookings = organiser.getByTestId('bookings');
  await bookings.getByLabel('Search').fill(order);
  await bookings.getByRole('button', { name: new RegExp(`^No\\. ${order} .*awaiting payment`) }).click();
  await bookings.getByLabel('Receipt or reference').fill('till 2');
  await bookings.getByRole('button', { name: 'Mark paid' }).click();
  await expect(organiser.getByTestId('toast')).toContainText(`Order #${order} is paid`);

  await expectSeat(bob, 'A2', 'booked');
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  // Paid: its ticket, a QR code for the door (API.md "Tickets").
  await expect(alice.getByTestId('tickets').getByRole('img', { name: /^Ticket for .*A2$/ })).toBeVisible();
  await expect(organiser.getByTestId('money-taken')).toHaveText('€50.00');
});
