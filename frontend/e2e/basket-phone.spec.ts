import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createEvent, createLayoutEvent, expect, expectLive, expectSeat, openEvent, PASSWORD, seat, test, violations, LIST_ROWS, LIST_ROWS_BUT_TWO } from './helpers';

/** A phone held upright (iPhone 12 to 15 size). */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * Opening the arena's List view (19,671 seats), on a phone: from the click on "List" to the
 * first row's buttons on screen, and the JS heap it adds once settled (after a collection).
 * Measured on a shared 2-core machine with rows rendered near the screen only: 100-160 ms,
 * +3.1 MB, ~260 buttons. With every seat rendered at once: 1.5 s and +57 MB (19,671 buttons);
 * rendered in steps as before issue 23: 45 ms to the first row, 2.4 s to the last, +58 MB.
 */
const LIST_OPEN_BUDGET_MS = 600;
const LIST_HEAP_BUDGET_MB = 20;
/** Seat buttons in the page at once, at most (every seat would be 19,671). */
const LIST_BUTTONS_BUDGET = 2_500;

test.describe.configure({ mode: 'serial' });

let contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of contexts) await context.close();
  contexts = [];
});

async function onPhone(browser: Browser): Promise<Page> {
  const context = await browser.newContext(PHONE);
  contexts.push(context);
  return context.newPage();
}

async function loginOnPhone(browser: Browser, username: string): Promise<Page> {
  const page = await onPhone(browser);
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  return page;
}

/** JS heap in use after a full collection, in MB (Chromium's own figure, through CDP). */
async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 2 ** 20;
}

/** Whether a box is inside the page's visible area (the layout viewport). */
const inViewport = (page: Page, box: { x: number; y: number; width: number; height: number } | null) => {
  const size = page.viewportSize()!;
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
};

test('on a phone the map comes first, Find seats is folded, and a bar at the bottom holds the basket and Reserve', async ({ browser }) => {
  test.setTimeout(90_000);
  const eventId = createEvent('Phone night', 6, 20, 1, '42.50');
  const alice = await loginOnPhone(browser, 'alice');
  await openEvent(alice, eventId);

  // The map starts in the first screen, with room to pick a seat; Find seats is one line, folded.
  const map = alice.getByRole('region', { name: 'Seat map' });
  const mapBox = (await map.boundingBox())!;
  expect(mapBox.y).toBeLessThan(844 - 250);
  const fold = alice.getByTestId('find-seats-fold');
  await expect(fold).not.toHaveAttribute('open');
  await expect(alice.getByTestId('find-seats-count')).toBeHidden();
  await fold.getByText('Find seats', { exact: true }).first().click();
  await expect(alice.getByTestId('find-seats-count')).toBeVisible();
  await fold.locator('summary').click();
  await expect(alice.getByTestId('find-seats-count')).toBeHidden();
  await expect(alice.getByTestId('basket-bar')).toHaveCount(0);

  // Two seats held: the bar is at the bottom of the screen with their number, the total in
  // euros, one timer and Reserve, wherever the page is scrolled.
  await seat(alice, 'A1').tap();
  await seat(alice, 'A2').tap();
  const bar = alice.getByTestId('basket-bar');
  await expect(bar.getByTestId('basket-bar-count')).toHaveText('2 seats');
  await expect(bar.getByTestId('basket-bar-total')).toHaveText(/^€85\.00$/);
  await expect(bar.getByRole('timer')).toHaveCount(1);
  await expect(bar.getByRole('timer')).toHaveText(/^0:0[0-6]$/);
  for (const y of [0, 100_000]) {
    await alice.evaluate((top) => window.scrollTo(0, top), y);
    const box = await bar.boundingBox();
    expect(inViewport(alice, box)).toBe(true);
    expect(box!.y + box!.height).toBeCloseTo(844, 0);
  }
  await bar.getByRole('button', { name: 'Reserve 2 seats' }).tap();
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  await expect(alice.getByTestId('confirmation-total')).toHaveText('€85.00');
  await expect(bar).toHaveCount(0);
});

test('five holds that run out a moment apart are told in one message that names every seat', async ({ browser }) => {
  test.setTimeout(60_000);
  const eventId = createEvent('Phone lapse', 3, 8);
  const alice = await loginOnPhone(browser, 'alice');
  await openEvent(alice, eventId);
  for (const label of ['A1', 'A2', 'A3', 'A4']) {
    await seat(alice, label).tap();
    await expectSeat(alice, label, 'held by you');
  }
  // The fifth a second later (holds end on whole seconds): it runs out a second after the others.
  await alice.waitForTimeout(1_100);
  await seat(alice, 'B1').tap();
  await expectSeat(alice, 'B1', 'held by you');
  await expect(alice.getByTestId('basket-limit')).toHaveText('5 of 10 seats held');
  // Holds last 6 s here.
  await expect(alice.getByTestId('basket-bar')).toHaveCount(0, { timeout: 15_000 });
  await expect(alice.getByTestId('toast')).toContainText(
    'Your holds on Floor · Row A · Seats 1\u20134 and Floor · Row B · Seat 1 (5 seats) ran out. Pick them again if they are still free.',
  );
});

test('the arena List view opens within its time and memory budget, with whole rows, and works by keyboard', { tag: '@timed' }, async ({ browser, request }) => {
  test.setTimeout(180_000);
  const eventId = createLayoutEvent('Arena on a phone', 'arena.json');
  const all = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number; section: string; row: string }[];
  const perRow = new Map<string, number>();
  for (const s of all) perRow.set(`${s.section}, row ${s.row}`, (perRow.get(`${s.section}, row ${s.row}`) ?? 0) + 1);

  const page = await onPhone(browser);
  await page.goto(`/events/${eventId}`);
  await expectLive(page, 30_000);
  await expect(page.getByTestId('seat-canvas')).toBeVisible();
  // The room's plan starts in the first screen too (the key to the seats folded above it).
  expect((await page.getByTestId('seat-map-viewport').boundingBox())!.y).toBeLessThan(844 - 300);
  await expect(page.getByTestId('seat-states-key')).not.toHaveAttribute('open');
  const before = await heapMb(page);
  // From the click to the first row's buttons laid out and a frame drawn, in the page's clock.
  const openMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        (document.querySelector('[data-testid="view-list"]') as HTMLElement).click();
        const check = () => {
          const first = document.querySelector('[data-testid="seat-list"] [data-row="0"] [data-seat-id]');
          if (first && first.getBoundingClientRect().height > 0) requestAnimationFrame(() => resolve(performance.now() - t0));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
  );
  await page.waitForTimeout(1_000);
  const after = await heapMb(page);
  const list = page.getByTestId('seat-list');
  const buttons = await list.locator('[data-seat-id]').count();
  const report = `arena List view on a phone: first row in ${Math.round(openMs)} ms, heap +${(after - before).toFixed(1)} MB (${before.toFixed(1)} -> ${after.toFixed(1)} MB), ${buttons} of ${all.length} seat buttons in the page`;
  console.log(report);
  test.info().annotations.push({ type: 'list view', description: report });
  expect(openMs).toBeLessThan(LIST_OPEN_BUDGET_MS);
  expect(after - before).toBeLessThan(LIST_HEAP_BUDGET_MB);
  expect(buttons).toBeLessThan(LIST_BUTTONS_BUDGET);

  // Every section heading and row label stays in the page; the rows near the screen are whole
  // and inside it (wrapped, not cut).
  await expect(list.getByRole('heading', { level: 3 })).toHaveCount(new Set(all.map((s) => s.section)).size);
  await expect(list.getByRole('group')).toHaveCount(perRow.size);
  const checkShownRows = async () => {
    const shown = await list.locator('.seat-row').evaluateAll((rows) =>
      rows
        .filter((r) => {
          const box = r.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        })
        .map((r) => ({
          name: r.getAttribute('aria-label')!,
          seats: Array.from(r.querySelectorAll('[data-seat-id]')).map((b) => b.getBoundingClientRect().toJSON() as DOMRect),
        })),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const row of shown) {
      expect(row.seats.length, row.name).toBe(perRow.get(row.name));
      for (const box of row.seats) expect(box.right, row.name).toBeLessThanOrEqual(390);
    }
  };
  await checkShownRows();
  // Far down the list the rows get their seats as they come near.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight * 0.6));
  await expect.poll(async () => list.locator('.seat-row__seats--waiting').evaluateAll((els) => els.filter((el) => {
    const box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }).length)).toBe(0);
  await checkShownRows();

  // By keyboard: from the first seat, down row after row, focus stays on a named seat.
  const first = list.locator('[data-row="0"] [data-seat-id]').first();
  await first.focus();
  for (let i = 0; i < 30; i += 1) await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => ({
    id: document.activeElement?.getAttribute('data-seat-id'),
    row: document.activeElement?.closest('[data-row]')?.getAttribute('data-row'),
    name: document.activeElement?.getAttribute('aria-label'),
  }));
  expect(focused.id).not.toBeNull();
  expect(Number(focused.row)).toBe(30);
  expect(focused.name).toMatch(/^\d+, row \w+, seat \d+, .*€.*, (available|held by someone else|booked|not for sale)/);
  await expect(list.locator('[data-seat-id][tabindex="0"]')).toHaveCount(1);
});

test('a visitor who is not logged in meets no 401, in the console or on the wire', async ({ browser }) => {
  const eventId = createEvent('Open to all', 2, 4);
  for (const options of [PHONE, {}]) {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 401) refused.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') refused.push(`console: ${m.text()}`);
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Open to all' })).toBeVisible();
    await openEvent(page, eventId);
    await expectSeat(page, 'A1', 'available');
    await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
    expect(refused).toEqual([]);
  }
});

test('axe finds no WCAG A/AA violation on the basket and the List view, on a phone and a desktop', async ({ browser }) => {
  test.setTimeout(240_000);
  const gridId = createEvent('Accessible basket', 4, 20);
  const arenaId = createLayoutEvent('Accessible arena', 'arena.json');
  for (const options of [PHONE, {}]) {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText('Signed in as bob')).toBeVisible();

    await openEvent(page, gridId);
    await seat(page, 'B3').click();
    await expectSeat(page, 'B3', 'held by you');
    expect(await violations(page), `grid with a held seat, ${options === PHONE ? 'phone' : 'desktop'}`).toEqual([]);

    await openEvent(page, arenaId);
    await page.getByTestId('view-list').click();
    await expect(page.getByTestId('seat-list').locator('[data-row="0"] [data-seat-id]').first()).toBeVisible();
    await page.getByTestId('seat-list').locator('[data-row="0"] [data-seat-id]').first().click();
    await expect(page.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(1);
    // Two of its rows on the phone, where their targets are the smallest; the desktop's rows are the same.
    const left = options === PHONE ? [LIST_ROWS_BUT_TWO] : [LIST_ROWS];
    expect(await violations(page, ...left), `arena List view with a held seat, ${options === PHONE ? 'phone' : 'desktop'}`).toEqual([]);
    await page.getByTestId('view-map').click(); // the next test starts on the Map view
  }
});
