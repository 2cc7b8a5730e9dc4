import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { apiAs, createEvent, expect, expectLive, expectSeat, openEvent, PASSWORD, seat, test } from './helpers';

/**
 * The organiser's console (issue 39) beside a buyer, each in a browser of their own: the
 * organiser is the demo's `organiser` (a Manager, seed_demo), the buyers alice and bob.
 */

async function openConsole(page: Page, eventId: number): Promise<void> {
  await page.goto(`/console/${eventId}`);
  await expect(page.getByTestId('console')).toBeVisible();
  await expectLive(page);
}

/** A count of the sale's table by category, row "All seats". */
function allSeats(page: Page, state: 'free' | 'held' | 'booked' | 'kept' | 'killed') {
  return page.getByTestId('counts-by-category').getByRole('row', { name: /^All seats/ }).locator(`td[data-state="${state}"]`);
}

test("the console is the staff's: a buyer is told so and shown nothing of it", async ({ login, request }) => {
  const eventId = createEvent('Console: staff only', 1, 4);
  const alice = await login('alice');

  await alice.goto(`/console/${eventId}`);

  await expect(alice.getByRole('heading', { name: "This page is for the event's staff" })).toBeVisible();
  await expect(alice.getByTestId('console')).toHaveCount(0);
  await openEvent(alice, eventId);
  await expect(alice.getByRole('link', { name: "Open this event's console" })).toHaveCount(0);
  const api = await apiAs(request, 'alice');
  expect(await api.status(`/api/staff/events/${eventId}/sale/`)).toBe(403);
});

test('seats kept back and killed in the console are unavailable on the buyer’s map at once, and released', async ({ login }) => {
  const eventId = createEvent('Console: press night', 2, 5);
  const organiser = await login('organiser');
  const alice = await login('alice');
  await openEvent(alice, eventId);
  await organiser.goto(`/events/${eventId}`);
  await organiser.getByRole('link', { name: "Open this event's console" }).click();
  await expect(organiser.getByTestId('console')).toBeVisible();
  await expectLive(organiser);

  await seat(organiser, 'A1').click();
  await seat(organiser, 'A2').click();
  await expect(organiser.getByTestId('selected-count')).toHaveText('2 seats');
  const offSale = organiser.getByTestId('off-sale-forms');
  await offSale.getByLabel('Purpose').selectOption('press');
  await offSale.getByLabel('Reason').fill('The Times');
  await offSale.getByRole('button', { name: 'Keep back 2 seats' }).click();

  // The buyer's map, on the same socket's frame: unavailable at once.
  await expectSeat(alice, 'A1', 'booked');
  await expectSeat(alice, 'A2', 'booked');
  await expectSeat(organiser, 'A1', 'kept back');
  await expect(allSeats(organiser, 'kept')).toHaveText('2');

  // Shift-click takes row B whole; killed.
  await seat(organiser, 'B3').click({ modifiers: ['Shift'] });
  await expect(organiser.getByTestId('selected-count')).toHaveText('5 seats');
  await offSale.getByLabel('Kill (never for sale)').check();
  await offSale.getByRole('button', { name: 'Kill 5 seats' }).click();
  await expectSeat(alice, 'B5', 'booked');
  await expectSeat(organiser, 'B5', 'killed');
  await expect(allSeats(organiser, 'killed')).toHaveText('5');
  await expect(allSeats(organiser, 'free')).toHaveText('3');

  // The console is axe clean, with seats selected and off sale.
  await seat(organiser, 'A1').click();
  const result = await new AxeBuilder({ page: organiser }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);

  await organiser.getByTestId('off-sale-forms').getByRole('button', { name: 'Release 1 seat now' }).click();
  await expectSeat(alice, 'A1', 'available');
  await expect(allSeats(organiser, 'kept')).toHaveText('1');
});

test('a box-office sale racing an online click on the same seat: exactly one of them gets it', async ({ login, request }) => {
  const eventId = createEvent('Console: at the door', 1, 4);
  const organiser = await login('organiser');
  const alice = await login('alice');
  await openConsole(organiser, eventId);
  await openEvent(alice, eventId);
  await seat(organiser, 'A3').click();
  const box = organiser.getByTestId('box-office');
  await box.getByLabel('Name (optional)').fill('Ann at the door');
  const sell = box.getByRole('button', { name: /^Sell 1 seat for/ });

  await Promise.all([sell.click(), seat(alice, 'A3').click()]);

  const sold = organiser.getByTestId('receipt');
  const refused = organiser.getByTestId('toast');
  await expect(sold.or(refused)).toBeVisible();
  const api = await apiAs(request, 'bob');
  const status = await api.seatStatus(eventId, 'A3');
  const boxOfficeWon = await sold.isVisible();
  console.log(`the box office ${boxOfficeWon ? 'won' : 'lost'} the race`);
  if (boxOfficeWon) {
    await expect(sold).toContainText('Ann at the door');
    await expect(organiser.getByTestId('receipt-total')).toHaveText('€50.00');
    // The buyer's click was refused, never both: by the server, or by her map when the sale's
    // push reached it before her click left the page.
    await expect(alice.getByTestId('toast')).toContainText(/Someone else got there first|Seat A3 is already booked/);
    await expectSeat(alice, 'A3', 'booked');
    expect(status).toBe('reserved');
  } else {
    await expect(refused).toContainText('A3 is held by a buyer');
    await expectSeat(alice, 'A3', 'held by you');
    await expect(sold).toHaveCount(0);
    expect(status).toBe('locked');
  }
});

test('a reseat in the console is seen live by the buyer: their map and My reservations show the new seat', async ({ login, request }) => {
  const eventId = createEvent('Console: a better view', 2, 5);
  const bobApi = await apiAs(request, 'bob');
  const [a2, a3] = [await bobApi.seatId(eventId, 'A2'), await bobApi.seatId(eventId, 'A3')];
  await bobApi.lock(eventId, a2);
  await bobApi.lock(eventId, a3);
  await bobApi.reserve(eventId, [a2, a3]);
  const bob = await login('bob');
  await openEvent(bob, eventId);
  await expectSeat(bob, 'A2', 'booked by you');
  // Bob's My reservations is open in a second tab before the reseat, and is never reloaded.
  const bobsList = await bob.context().newPage();
  await bobsList.goto('/reservations');
  // Bob's bookings of other tests' events are listed too: this one is this event's.
  const bobsSeats = bobsList
    .getByRole('listitem', { name: /^Reservation #/ })
    .filter({ hasText: 'Console: a better view' })
    .getByRole('list', { name: 'Seats' });
  await expect(bobsSeats).toContainText('A2');
  const organiser = await login('organiser');
  await openConsole(organiser, eventId);

  const bookings = organiser.getByTestId('bookings');
  await bookings.getByLabel('Search').fill('bob');
  await bookings.getByRole('button', { name: /bob · .*A2, A3 ·/ }).click();
  await expect(bookings.getByRole('button', { name: 'Refund 2 seats' })).toBeVisible();
  await bookings.getByRole('button', { name: 'Move A2' }).click();
  await seat(organiser, 'B4').click();
  await expect(organiser.getByTestId('toast')).toContainText('Moved A2 to B4');
  // The refund form starts from the seats the booking holds now (issue 55: it kept A2's).
  const refund = bookings.getByRole('group', { name: 'Refund and cancel' });
  await expect(refund.getByRole('checkbox', { name: /^B4/ })).toBeChecked();
  await expect(bookings.getByRole('button', { name: 'Refund 2 seats' })).toBeVisible();

  await expectSeat(bob, 'B4', 'booked by you');
  await expectSeat(bob, 'A2', 'available');
  // Pushed to the open page (the account socket, PROTOCOL.md "Your bookings"), not polled.
  await expect(bobsSeats).toContainText('B4');
  await expect(bobsSeats).not.toContainText('A2');
  // The booking's story in the console says what moved it.
  await expect(bookings.getByTestId('booking-detail').getByRole('cell', { name: 'console' }).first()).toBeVisible();
});

test('a partial refund in the console frees the seat on the buyer’s map at once and keeps the rest booked', async ({ login, request }) => {
  const eventId = createEvent('Console: one seat back', 1, 4);
  const bobApi = await apiAs(request, 'bob');
  const [a1, a2] = [await bobApi.seatId(eventId, 'A1'), await bobApi.seatId(eventId, 'A2')];
  await bobApi.lock(eventId, a1);
  await bobApi.lock(eventId, a2);
  await bobApi.reserve(eventId, [a1, a2]);
  const bob = await login('bob');
  await openEvent(bob, eventId);
  await expectSeat(bob, 'A1', 'booked by you');
  const organiser = await login('organiser');
  await openConsole(organiser, eventId);

  const bookings = organiser.getByTestId('bookings');
  await bookings.getByLabel('Search').fill('bob');
  await bookings.getByRole('button', { name: /bob · .*A1, A2 ·/ }).click();
  const refund = bookings.getByRole('group', { name: 'Refund and cancel' });
  await refund.getByRole('checkbox', { name: /^A1/ }).uncheck();
  await bookings.getByLabel('Reason').fill('Restricted view');
  await bookings.getByRole('button', { name: 'Refund 1 seat' }).click();
  await expect(organiser.getByTestId('toast')).toContainText('Refunded €50.00 for A2');

  await expectSeat(bob, 'A2', 'available');
  await expectSeat(bob, 'A1', 'booked by you');
  expect(await bobApi.seatStatus(eventId, 'A2')).toBe('available');
  expect(await bobApi.seatStatus(eventId, 'A1')).toBe('reserved');
  await expect(bookings.getByTestId('booking-detail')).toContainText('€50.00 refunded');
});

test('the purchase limit set in the console refuses a buyer’s next hold, and saying so', async ({ login, request }) => {
  const eventId = createEvent('Console: two each', 1, 6);
  const organiser = await login('organiser');
  await openConsole(organiser, eventId);
  const limits = organiser.getByTestId('limits');
  await limits.getByLabel('Seats per buyer').fill('2');
  await limits.getByRole('button', { name: 'Set' }).click();
  await expect(limits.getByTestId('purchase-limit')).toHaveText('2 seats per buyer, held and booked together.');

  const alice = await login('alice');
  await openEvent(alice, eventId);
  await seat(alice, 'A1').click();
  await expectSeat(alice, 'A1', 'held by you');
  await seat(alice, 'A2').click();
  await expectSeat(alice, 'A2', 'held by you');
  await seat(alice, 'A3').click();
  await expect(alice.getByTestId('toast')).toContainText('One buyer may have at most 2 seats of this event');
  await expectSeat(alice, 'A3', 'available');
  const api = await apiAs(request, 'bob');
  expect(await api.seatStatus(eventId, 'A3')).toBe('available');
});

test('holding seats for buyers with a confirmed e-mail only, switched on in the console (issue 40)', async ({ login, request }) => {
  const eventId = createEvent('Console: confirmed buyers', 1, 4);
  const organiser = await login('organiser');
  await openConsole(organiser, eventId);
  const verifiedOnly = organiser.getByTestId('limits').getByLabel('Only buyers with a confirmed e-mail may hold seats');
  await verifiedOnly.click(); // it shows the server's state: checked once the change is saved
  await expect(organiser.getByText('Only buyers with a confirmed e-mail can hold seats now.')).toBeVisible();
  await expect(verifiedOnly).toBeChecked();

  const username = `fresh${Date.now() % 1_000_000}`;
  expect((await request.post('/api/register/', { data: { username, password: PASSWORD } })).status()).toBe(201);
  const fresh = await login(username);
  await openEvent(fresh, eventId);
  await seat(fresh, 'A1').click();
  await expect(fresh.getByTestId('toast')).toContainText('e-mail address to hold seats of this event');
  await expectSeat(fresh, 'A1', 'available');
  const alice = await login('alice'); // the demo's alice has confirmed hers
  await openEvent(alice, eventId);
  await seat(alice, 'A2').click();
  await expectSeat(alice, 'A2', 'held by you');
});

test('a Manager exports the sales from the console, and the console fits a phone held upright', async ({ login, request }) => {
  const eventId = createEvent('Console: the takings', 1, 4);
  const bobApi = await apiAs(request, 'bob');
  const a1 = await bobApi.seatId(eventId, 'A1');
  await bobApi.lock(eventId, a1);
  await bobApi.reserve(eventId, [a1]);
  const organiser = await login('organiser');
  await organiser.setViewportSize({ width: 390, height: 844 });
  await openConsole(organiser, eventId);
  await expect(organiser.getByTestId('counts-by-category')).toBeVisible();
  // Issue 55: the counts table made the page 436 px wide on a 390 px phone.
  expect(await organiser.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  const download = organiser.waitForEvent('download');
  await organiser.getByTestId('exports').getByRole('link', { name: 'Sales (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`event-${eventId}-sales.csv`);
  const text = await (await file.createReadStream()).toArray();
  const rows = Buffer.concat(text).toString('utf8').trim().split(/\r?\n/);
  expect(rows).toHaveLength(2);
  expect(rows[1]).toMatch(/,confirmed,bob,.*,A1,50\.00,EUR,online,/);
});
