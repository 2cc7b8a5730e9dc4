import type { BrowserContext, Page } from '@playwright/test';
import { apiAs, createEvent, createLayoutEvent, expect, loginAs, openEvent, test, violations, LIST_ROWS } from './helpers';

// The buyer's screen, second round (issue 42): grid maps drawn as maps at every width, prices at
// a glance, a keyboard that picks seats on the map, and a held seat's click answered from the map.

/** A phone held upright. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 900 } };

let contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of contexts) await context.close();
  contexts = [];
});

/** The boxes of a row's seat buttons, in the row's order. */
async function rowBoxes(page: Page, row: string) {
  const seats = page.getByRole('group', { name: `Floor, row ${row}` }).locator('[data-seat-id]');
  await expect(seats).toHaveCount(30);
  return seats.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
}

test('a 30-seat grid row is one line on a phone (the grid scrolls sideways as one surface) and whole on a desktop', async ({ browser }) => {
  const eventId = createEvent('Thirty abreast', 4, 30, 1, '40.00');

  const phone = await loginAs(browser, 'alice', contexts, PHONE);
  await openEvent(phone, eventId);
  const onPhone = await rowBoxes(phone, 'A');
  // One line: every seat of the row at the same height, left to right, none over another.
  expect(new Set(onPhone.map((b) => Math.round(b.top))).size).toBe(1);
  for (let i = 1; i < onPhone.length; i += 1) expect(onPhone[i].left).toBeGreaterThanOrEqual(onPhone[i - 1].right);
  // Wider than the phone: the one surface scrolls sideways, says so, and keeps the row letters in view.
  const scroller = phone.getByRole('region', { name: 'Seat map' });
  await expect(phone.getByTestId('grid-cue')).toBeVisible();
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  const last = phone.getByRole('group', { name: 'Floor, row A' }).locator('[data-seat-id]').last();
  await expect(last).toBeInViewport();
  const label = phone.getByRole('group', { name: 'Floor, row A' }).locator('.seat-row__label');
  await expect(label).toBeInViewport();
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390); // the page itself never scrolls sideways
  expect(await violations(phone)).toEqual([]);

  const desktop = await loginAs(browser, 'bob', contexts, DESKTOP);
  await openEvent(desktop, eventId);
  const onDesktop = await rowBoxes(desktop, 'A');
  expect(new Set(onDesktop.map((b) => Math.round(b.top))).size).toBe(1);
  // Whole: the row fits its box, no sideways scroll, and no cue.
  const box = (await desktop.getByRole('region', { name: 'Seat map' }).boundingBox())!;
  expect(onDesktop[0].left).toBeGreaterThanOrEqual(box.x);
  expect(onDesktop[29].right).toBeLessThanOrEqual(box.x + box.width);
  expect(await desktop.getByRole('region', { name: 'Seat map' }).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await expect(desktop.getByTestId('grid-cue')).toHaveCount(0);
  expect(await violations(desktop)).toEqual([]);
});

/** The demo's grid event (seed_demo): Floor at the default price, Balcony dearer in its own colour. */
async function concertXyz(page: Page) {
  const list = (await (await page.request.get('/api/events/?page_size=100')).json()) as { id: number; name: string }[];
  const id = list.find((e) => e.name === 'Concert XYZ')!.id;
  const detail = (await (await page.request.get(`/api/events/${id}/`)).json()) as { categories: { name: string; colour: string; price: string }[] };
  return { id, categories: detail.categories };
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

test('grid seats wear their category colour, and every price reads in the event currency', async ({ browser, request }) => {
  const page = await loginAs(browser, 'alice', contexts, DESKTOP);
  const { id, categories } = await concertXyz(page);
  const balcony = categories.find((c) => c.name === 'Balcony')!;
  const floor = categories.find((c) => c.name !== 'Balcony')!;
  expect(balcony.colour).not.toBe(floor.colour);
  await openEvent(page, id);
  const floorSeat = page.getByRole('region', { name: 'Section Floor' }).locator('[data-seat-id]').first();
  const balconySeat = page.getByRole('region', { name: 'Section Balcony' }).locator('[data-seat-id]').first();
  await expect(floorSeat).toHaveCSS('background-color', rgb(floor.colour));
  await expect(balconySeat).toHaveCSS('background-color', rgb(balcony.colour));
  // The key: each category's colour and price, in euros; the price filter too.
  const prices = page.getByTestId('category-legend');
  await expect(prices.getByRole('listitem').filter({ hasText: 'Balcony' })).toContainText('€120.00');
  await expect(prices.getByRole('listitem').filter({ hasText: floor.name })).toContainText('€50.00');
  await expect(page.getByTestId('find-seats-category').locator('option', { hasText: 'Balcony' })).toHaveText('Balcony €120.00');
  expect(await violations(page)).toEqual([]);

  // My reservations: each seat's section, row and price, and the total, in the event's own currency.
  const pounds = createEvent('In pounds', 1, 4, 1, '30.00', ['--currency', 'GBP']);
  const alice = await apiAs(request, 'alice');
  const seats = await alice.seatIds(pounds);
  await alice.lockMany(pounds, [seats.get('A1')!, seats.get('A2')!]);
  await alice.reserve(pounds, [seats.get('A1')!, seats.get('A2')!]);
  await page.goto('/reservations');
  const booking = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'In pounds' }) });
  await expect(booking.getByTestId('reservation-total')).toHaveText('£60.00');
  await expect(booking.getByRole('list', { name: 'Seats' }).getByRole('listitem')).toHaveText(['Floor · Row A · Seat A1 · £30.00', 'Floor · Row A · Seat A2 · £30.00']);
});

/** Presses Tab until the element with this test id has the focus (the keyboard alone). */
async function tabTo(page: Page, testId: string) {
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

test('the keyboard alone picks a seat on the room map: arrows move a cursor that is announced, Enter holds, Enter lets go', async ({ browser }) => {
  const eventId = createLayoutEvent('Keys on the plan', 'theatre.json');
  const page = await loginAs(browser, 'alice', contexts, DESKTOP);
  await openEvent(page, eventId);
  await expect(page.getByTestId('seat-canvas')).toBeVisible();
  await tabTo(page, 'seat-map-viewport');
  const said = page.getByTestId('map-cursor');
  await page.keyboard.press('ArrowRight'); // the cursor lands on the seat in the middle of the view
  await expect(said).toHaveText(/, row \w+, seat \d+, .*€\d+\.\d\d, available/);
  const first = await said.textContent();
  await page.keyboard.press('ArrowRight');
  await expect(said).not.toHaveText(first!);
  await page.keyboard.press('ArrowDown'); // to the next row
  await expect(said).not.toHaveText(first!);
  const where = (await said.textContent())!.split(', available')[0];
  // The cursor's seat is shown zoomed in to where seats can be picked, with its tooltip.
  await expect(page.getByTestId('seat-tooltip')).toBeVisible();

  await page.keyboard.press('Enter');
  await expect(said).toHaveText(`${where}, held by you`);
  await expect(page.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(1);
  await page.keyboard.press(' ');
  await expect(said).toHaveText(`${where}, available`);
  await expect(page.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(0);
  expect(await violations(page)).toEqual([]);
});

test('in the List view, PageDown goes ten rows on, and Ctrl+End to the last seat', async ({ browser }) => {
  const eventId = createLayoutEvent('Pages of rows', 'theatre.json');
  const page = await loginAs(browser, 'alice', contexts, DESKTOP);
  await openEvent(page, eventId);
  await page.getByTestId('view-list').click();
  const list = page.getByTestId('seat-list');
  await list.locator('[data-row="0"] [data-seat-id]').first().focus();
  const focusedRow = () => page.evaluate(() => Number(document.activeElement?.closest('[data-row]')?.getAttribute('data-row')));
  await page.keyboard.press('PageDown');
  expect(await focusedRow()).toBe(10);
  await page.keyboard.press('PageUp');
  expect(await focusedRow()).toBe(0);
  await page.keyboard.press('Control+End');
  const rows = await list.locator('[data-row]').count();
  expect(await focusedRow()).toBe(rows - 1);
  await page.keyboard.press('Control+Home');
  expect(await focusedRow()).toBe(0);
});

test('in the List view, the keyboard alone jumps to a section: its first seat takes the focus, and it is said', async ({ browser }) => {
  test.setTimeout(150_000); // the arena is made in tens of seconds on a busy machine
  const eventId = createLayoutEvent('Jump to a section', 'arena.json');
  const page = await loginAs(browser, 'alice', contexts, DESKTOP);
  await openEvent(page, eventId);
  await expect(page.getByTestId('seat-canvas')).toBeVisible();
  await tabTo(page, 'view-list');
  await page.keyboard.press('Enter');
  const list = page.getByTestId('seat-list');
  await expect(list).toBeVisible();
  // The last section, far down a list of 19,671 seats: chosen from the keyboard, then Go.
  await tabTo(page, 'section-jump-select');
  await page.keyboard.press('End');
  const select = page.getByTestId('section-jump-select');
  const lastOption = select.locator('option').last();
  const [name, shown] = [(await lastOption.getAttribute('value'))!, (await lastOption.textContent())!];
  await expect(select).toHaveValue(name);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  // The focus is on the section's first seat (its first row's first), shown, and said.
  const section = list.getByRole('region', { name: `Section ${name}` });
  const firstSeat = section.locator('[data-seat-id]').first();
  await expect(firstSeat).toBeFocused();
  await expect(firstSeat).toBeInViewport();
  const row = (await firstSeat.evaluate((el) => el.closest('[role="group"]')!.getAttribute('aria-label')))!;
  expect(row).toMatch(new RegExp(`^${name}, row \\w+$`));
  await expect(page.getByTestId('section-jump-said')).toHaveText(`${shown}, row ${row.split(', row ')[1]}: its first seat has the focus.`);
  // From there the arrows go on through the section's seats.
  await page.keyboard.press('ArrowRight');
  await expect(section.locator('[data-seat-id]').nth(1)).toBeFocused();
  expect(await violations(page, LIST_ROWS)).toEqual([]);
});

test('on a phone the header is one line and a toast never covers the map', async ({ browser }) => {
  const eventId = createEvent('Toast on a phone', 20, 8); // a map that runs below the screen's foot
  const page = await loginAs(browser, 'alice', contexts, PHONE);
  await openEvent(page, eventId);
  // One line: the brand, the links and the user side by side, the header no taller than its tallest (the button).
  const header = page.getByRole('banner');
  const parts = await Promise.all(
    [header.getByRole('link', { name: 'Seat map' }), header.getByRole('navigation'), header.getByRole('button', { name: 'Log out' })].map(async (l) => (await l.boundingBox())!),
  );
  const headerBox = (await header.boundingBox())!;
  for (const part of parts) expect(Math.abs(part.y + part.height / 2 - (parts[0].y + parts[0].height / 2))).toBeLessThan(4);
  expect(headerBox.height).toBeLessThanOrEqual(parts[2].height + 20); // the button and the header's padding
  // The user's name is whole, and the page never scrolls sideways.
  expect(await header.getByText('alice', { exact: true }).evaluate((el) => el.parentElement!.scrollWidth <= el.parentElement!.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // A seat held by a tap: its toast and the map do not overlap.
  const map = page.getByRole('region', { name: 'Seat map' });
  await map.getByRole('button', { name: /^A1, / }).tap();
  const toast = page.getByTestId('toast');
  await expect(toast).toContainText('A1');
  const [t, m] = [(await toast.boundingBox())!, (await map.boundingBox())!];
  const overlap = t.x < m.x + m.width && m.x < t.x + t.width && t.y < m.y + m.height && m.y < t.y + t.height;
  expect(overlap, `toast ${JSON.stringify(t)} over map ${JSON.stringify(m)}`).toBe(false);
  expect(await violations(page)).toEqual([]);
});

test('at 1366x900 the map starts in the upper part of the screen, with its key and the basket beside it', async ({ browser }) => {
  test.setTimeout(150_000); // the arena is made in tens of seconds
  const theatre = createLayoutEvent('Map first, theatre', 'theatre.json');
  const arena = createLayoutEvent('Map first, arena', 'arena.json');
  const grid = createEvent('Map first, grid', 10, 20);
  const page = await loginAs(browser, 'alice', contexts, DESKTOP);
  for (const eventId of [theatre, arena, grid]) {
    await openEvent(page, eventId);
    const map = eventId === grid ? page.getByRole('region', { name: 'Seat map' }) : page.getByTestId('seat-map-viewport');
    await expect(map).toBeVisible();
    // Under the header, the event's heading, its live line and the view switch: about 290 px.
    expect((await map.boundingBox())!.y).toBeLessThan(300);
    // Prices and the Reserve button in the first screen too, beside the map.
    await expect(page.getByTestId('category-legend')).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: /^Reserve/ }).first()).toBeInViewport({ ratio: 1 });
    expect((await page.getByTestId('category-legend').boundingBox())!.x).toBeGreaterThan((await map.boundingBox())!.x + 600);
  }
  // The List view starts there as well.
  await openEvent(page, theatre);
  await page.getByTestId('view-list').click();
  await expect(page.getByTestId('seat-list')).toBeVisible();
  expect((await page.getByTestId('seat-list').locator('..').boundingBox())!.y).toBeLessThan(300); // its scrolling box
  expect(await violations(page, LIST_ROWS)).toEqual([]);
});

test('a click on a seat the map shows held by someone else is answered from the map, with no request', async ({ browser, request }) => {
  const eventId = createEvent('Already held', 2, 8);
  const bob = await apiAs(request, 'bob');
  const taken = await bob.seatId(eventId, 'A3');
  // A browser in British English: the hold's end reads as a 24-hour clock. Bob holds once
  // Alice's map is open (the hold reaches it pushed): it lasts SEAT_LOCK_SECONDS=6 here, and on
  // a slow machine her login and first reads took 4.4 of them, her page 10 s once.
  const page = await loginAs(browser, 'alice', contexts, { ...DESKTOP, locale: 'en-GB' });
  await openEvent(page, eventId);
  await bob.lock(eventId, taken);
  const seatButton = page.locator(`button[data-seat-id="${taken}"]`);
  await expect(seatButton).toHaveAccessibleName(/held by someone else/);
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) sent.push(`${r.method()} ${r.url()}`);
  });
  await seatButton.click();
  // By when, in hours and minutes of the browser's language, never seconds.
  await expect(page.getByTestId('toast-region')).toHaveText(/^A3 is held by someone else, may come back by \d\d:\d\d\.$/);
  // The seat next to it, free, is still asked for as before: the check is not that nothing works.
  await page.locator(`button[data-seat-id="${await bob.seatId(eventId, 'A4')}"]`).click();
  await expect.poll(() => sent.filter((s) => s.includes('/lock/')).length).toBe(1);
  expect(sent.filter((s) => s.includes(`/seats/${taken}/`))).toEqual([]);
});
