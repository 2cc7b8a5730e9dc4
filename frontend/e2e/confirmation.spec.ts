import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { apiAs, createEvent, expect, expectSeat, mailbox, openEvent, PASSWORD, seat, test } from './helpers';

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

/** An .ics file's properties of its VEVENT, its folded lines joined again (RFC 5545 3.1). */
function eventProperties(ics: string): Map<string, string> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const event = lines.slice(lines.indexOf('BEGIN:VEVENT') + 1, lines.indexOf('END:VEVENT'));
  return new Map(event.map((line) => [line.slice(0, line.search(/[:;]/)), line.slice(line.indexOf(':') + 1)]));
}

test('Reserve lands on the booking: its reference, seats, prices and total, a calendar file, and My reservations links to it', async ({ login, request }) => {
  test.setTimeout(90_000);
  const eventId = createEvent('Confirmed evening', 2, 6, 1, '42.50', ['--currency', 'GBP']);
  const alice = await login('alice');
  await openEvent(alice, eventId);
  for (const label of ['A1', 'B2']) {
    await seat(alice, label).click();
    await expectSeat(alice, label, 'held by you');
  }
  await alice.getByRole('button', { name: 'Reserve 2 seats' }).click();

  // The confirmation page, its own address: the heading has the focus.
  await expect(alice).toHaveURL(/\/reservations\/\d+$/);
  const id = Number(new URL(alice.url()).pathname.split('/').pop());
  const heading = alice.getByRole('heading', { name: 'Your booking is confirmed' });
  await expect(heading).toBeFocused();
  await expect(alice.getByTestId('confirmation-reference')).toHaveText(`#${id}`);
  await expect(alice.getByRole('link', { name: 'Confirmed evening' })).toHaveAttribute('href', `/events/${eventId}`);
  await expect(alice.getByTestId('confirmation-venue')).toHaveText('Test Hall');
  const seats = alice.getByRole('table', { name: 'Seats' });
  await expect(seats.locator('tbody tr')).toHaveText([/^FloorAA1£42\.50$/, /^FloorBB2£42\.50$/]);
  await expect(alice.getByTestId('confirmation-total')).toHaveText('£85.00');
  expect(await violations(alice)).toEqual([]);

  // The calendar file: one event, its name, start and venue, the seats, and a UID of the booking's own.
  const saved = alice.waitForEvent('download');
  await alice.getByRole('link', { name: 'Add to calendar' }).click();
  const download = await saved;
  expect(download.suggestedFilename()).toBe(`reservation-${id}.ics`);
  const ics = readFileSync((await download.path())!, 'utf8');
  expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  const properties = eventProperties(ics);
  const event = (await (await request.get(`/api/events/${eventId}/`)).json()) as { starts_at: string };
  const start = new Date(event.starts_at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  expect(properties.get('SUMMARY')).toBe('Confirmed evening');
  expect(properties.get('DTSTART')).toBe(start);
  expect(properties.get('LOCATION')).toBe('Test Hall');
  expect(properties.get('UID')).toBe(`reservation-${id}@seatmap`);
  expect(properties.get('STATUS')).toBe('CONFIRMED');
  expect(properties.get('DESCRIPTION')?.split('\\n')).toEqual([
    `Booking #${id}`,
    'Floor · Row A · Seat A1: 42.50 GBP',
    'Floor · Row B · Seat B2: 42.50 GBP',
    'Total: 85.00 GBP',
  ]);

  // Someone else gets no such file, and no such booking.
  const bob = await apiAs(request, 'bob');
  expect(await bob.status(`/api/reservations/${id}/calendar.ics`)).toBe(404);

  // My reservations: the same seats with their rows and prices, and a link back to this page.
  await alice.getByRole('link', { name: 'See all my reservations' }).click();
  const booking = alice.getByRole('listitem').filter({ has: alice.getByRole('link', { name: 'Confirmed evening' }) });
  await expect(booking.getByRole('list', { name: 'Seats' }).getByRole('listitem')).toHaveText([
    'Floor · Row A · Seat A1 · £42.50',
    'Floor · Row B · Seat B2 · £42.50',
  ]);
  await expect(booking.getByTestId('reservation-total')).toHaveText('£85.00');
  // By keyboard: a click's point can miss when another test's booking of alice's, pushed live,
  // moves the cards between aiming and clicking.
  await booking.getByRole('link', { name: `Booking #${id}: details and calendar` }).press('Enter');
  await expect(alice).toHaveURL(new RegExp(`/reservations/${id}$`));
  await expect(alice.getByTestId('confirmation-total')).toHaveText('£85.00');

  // The same by e-mail, read back from the SMTP server it went to (e2e/server.sh): to alice's
  // address, text and HTML with the seats and total, the calendar file attached.
  const subject = `Subject: Your booking #${id}: Confirmed evening`;
  await expect.poll(() => mailbox().filter((mail) => mail.includes(subject)).length, { timeout: 20_000 }).toBe(1);
  const mail = mailbox().find((m) => m.includes(subject))!;
  expect(mail).toMatch(/^To: alice@example\.invalid$/m);
  for (const part of ['text/plain', 'text/html', 'text/calendar']) expect(mail).toContain(`Content-Type: ${part}`);
  expect(mail).toContain(`filename="reservation-${id}.ics"`);
  expect(mail).toMatch(/A1[\s\S]*B2/);
  expect(mail).toContain('85.00');
});

test('on a phone the confirmation fits the screen, and an unknown booking says so', async ({ browser }) => {
  const eventId = createEvent('Confirmed on a phone', 1, 4);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const alice = await context.newPage();
  await alice.goto('/login');
  await alice.getByLabel('Username').fill('alice');
  await alice.getByLabel('Password').fill(PASSWORD);
  await alice.getByRole('button', { name: 'Log in' }).click();
  await expect(alice.getByText('Signed in as alice')).toBeVisible();
  await openEvent(alice, eventId);
  await seat(alice, 'A1').tap();
  await expectSeat(alice, 'A1', 'held by you');
  await alice.getByTestId('basket-bar').getByRole('button', { name: 'Reserve 1 seat' }).tap();
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  await expect(alice.getByTestId('confirmation-total')).toHaveText('€50.00');
  expect(await alice.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(alice.getByRole('link', { name: 'Add to calendar' })).toBeInViewport();
  expect(await violations(alice)).toEqual([]);

  await alice.goto('/reservations/999999999');
  await expect(alice.getByRole('heading', { name: 'Booking not found' })).toBeVisible();
  await expect(alice.getByRole('alert')).toHaveText('There is no booking #999999999 in your account.');
  await context.close();
});
