import type { Browser, BrowserContext, Page } from '@playwright/test';
import { PASSWORD, apiAs, createLayoutEvent, expect, expectLive, openEvent, test, violations } from './helpers';

// The buyer's screen as the big seat maps have it (issue 23): answers where the eye is, a map
// whose overview zooms instead of holding a random seat, the buyer's own seats and the seats
// Find seats found easy to see. Desktop at 1366 × 900, a phone at 390 × 844 with touch.

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
/** The map's threshold (model/overview.ts PICK_PITCH_PX): below it a tap zooms. */
const PICK_PITCH_PX = 12;

interface Probe {
  view(): { scale: number; x: number; y: number };
  seatPoint(id: number): { x: number; y: number } | null;
}

const canvasOf = (page: Page) => page.getByTestId('seat-canvas');
const seatPoint = async (page: Page, id: number) =>
  (await canvasOf(page).evaluate((el, id) => (el as HTMLCanvasElement & { seatMap: Probe }).seatMap.seatPoint(id), id))!;
const scale = async (page: Page) => Number(await canvasOf(page).getAttribute('data-scale'));
const seatPx = async (page: Page) => Number(await canvasOf(page).getAttribute('data-seat-px'));
const canvasTop = (page: Page) => canvasOf(page).evaluate((el) => el.getBoundingClientRect().top);
/** The map did not move under the pointer: its top where it was (a banner above it pushed it ~ 50 px down). */
const expectMapStill = async (page: Page, top: number) => expect(Math.abs((await canvasTop(page)) - top)).toBeLessThan(2);

/** Waits for the view to stop moving (a zoom flies for a third of a second). */
async function settled(page: Page): Promise<void> {
  let last = -1;
  await expect
    .poll(async () => {
      const now = await scale(page);
      const same = now === last;
      last = now;
      return same;
    }, { intervals: [150] })
    .toBe(true);
}

/** Is the box of `locator` inside the window (and, on a phone, clear of the bottom bar's 80 px)? */
async function inWindow(page: Page, selector: string, keepBottom = 0) {
  return page.evaluate(
    ({ selector, keepBottom }) => {
      const r = document.querySelector(selector)!.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight - keepBottom;
    },
    { selector, keepBottom },
  );
}

/** Pixels of the canvas around a client point, as RGBA bytes (device pixels). */
function pixelsAround(page: Page, at: { x: number; y: number }, radius: number) {
  return canvasOf(page).evaluate(
    (el, { at, radius }) => {
      const canvas = el as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      const dpr = canvas.width / rect.width;
      const x = Math.round((at.x - rect.left - radius) * dpr);
      const y = Math.round((at.y - rect.top - radius) * dpr);
      const side = Math.round(radius * 2 * dpr);
      return Array.from(canvas.getContext('2d')!.getImageData(x, y, side, side).data);
    },
    { at, radius },
  );
}

const changedPixels = (a: number[], b: number[]) => {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 60) n += 1;
  return n;
};
const darkPixels = (a: number[]) => {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i + 3] > 200 && a[i] < 60 && a[i + 1] < 60 && a[i + 2] < 70) n += 1;
  return n;
};

async function personAs(browser: Browser, contexts: BrowserContext[], username: string | null, device: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const context = await browser.newContext(device);
  contexts.push(context);
  const page = await context.newPage();
  if (username) {
    await page.goto('/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  }
  return page;
}

interface ListedSeat {
  id: number;
  label: string;
  section: string;
  row: string;
  number: number;
  status: string;
  accessible: boolean;
  companion: boolean;
}

async function seatsOf(page: Page, eventId: number): Promise<ListedSeat[]> {
  return (await (await page.request.get(`/api/events/${eventId}/seats/`)).json()).seats as ListedSeat[];
}

/** Locks asked of the server, as the page sends them. */
function lockRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/lock\/$/.test(new URL(r.url()).pathname)) seen.push(r.url());
  });
  return seen;
}

test.describe('desktop, 1366 × 900', () => {
  test.use({ viewport: DESKTOP });
  const contexts: BrowserContext[] = [];
  test.afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  test('a refused click is answered in a toast in the window, the map stays put, the seat tells why; axe clean', async ({ page, browser, request }) => {
    test.setTimeout(120_000);
    const eventId = createLayoutEvent('Toast night', 'theatre.json');
    const seats = await seatsOf(page, eventId);
    const target = seats.find((s) => s.section === 'Stalls' && s.row === 'H' && s.number === 10)!;

    // Not logged in: on the overview a click zooms (nothing asked of the server), then one on the seat.
    await openEvent(page, eventId);
    const locks = lockRequests(page);
    await page.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
    await expect(canvasOf(page)).toHaveAttribute('data-overview', 'true');
    const fitted = await scale(page);
    let at = await seatPoint(page, target.id);
    await page.mouse.click(at.x, at.y);
    await expect.poll(() => scale(page)).toBeGreaterThan(fitted);
    await settled(page);
    await expect(canvasOf(page)).toHaveAttribute('data-overview', 'false');
    expect(locks).toEqual([]);
    await expect(page.getByTestId('toast')).toHaveCount(0);

    const top = await canvasTop(page);
    const scrolled = await page.evaluate(() => window.scrollY);
    at = await seatPoint(page, target.id);
    await page.mouse.click(at.x, at.y);
    const toast = page.getByTestId('toast');
    await expect(toast).toContainText('Log in to hold seats.');
    await expect(toast.getByRole('link', { name: 'Log in' })).toBeVisible();
    expect(await inWindow(page, '[data-testid="toast"]')).toBe(true);
    // Announced politely by a live region that was there before the message.
    await expect(page.getByTestId('toast-region')).toHaveAttribute('aria-live', 'polite');
    // The map did not move under the pointer.
    await expectMapStill(page, top);
    expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
    // The seat under the pointer says why too.
    const tip = page.getByTestId('seat-tooltip');
    await expect(tip).toContainText(target.label);
    await expect(tip).toContainText('Log in to hold seats.');
    expect(await violations(page)).toEqual([]);
    // An error stays until dismissed.
    await page.waitForTimeout(1_000);
    await expect(toast).toBeVisible();
    await toast.getByRole('button', { name: 'Dismiss message' }).click();
    await expect(toast).toHaveCount(0);

    // Logged in, at the limit (ten seats held elsewhere): the refusal is in sight as well.
    const alice = await personAs(browser, contexts, 'alice', { viewport: DESKTOP });
    await openEvent(alice, eventId);
    await alice.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
    at = await seatPoint(alice, target.id);
    await alice.mouse.click(at.x, at.y);
    await expect(canvasOf(alice)).toHaveAttribute('data-overview', 'false');
    await settled(alice);
    const api = await apiAs(request, 'alice');
    const others = seats.filter((s) => s.section === 'Dress Circle' && s.status === 'available').slice(0, 10);
    await api.lockMany(eventId, others.map((s) => s.id)); // holds last 6 s: click straight after
    const aliceTop = await canvasTop(alice);
    at = await seatPoint(alice, target.id);
    await alice.mouse.click(at.x, at.y);
    await expect(alice.getByTestId('toast')).toContainText('One buyer may have at most 10 seats of this event');
    expect(await inWindow(alice, '[data-testid="toast"]')).toBe(true);
    await expectMapStill(alice, aliceTop);
  });

  test('seats Find seats found are flown to at a readable size and highlighted a while; own seats stand out', async ({ browser }) => {
    test.setTimeout(90_000);
    const eventId = createLayoutEvent('Found night', 'theatre.json');
    const alice = await personAs(browser, contexts, 'alice', { viewport: DESKTOP });
    await openEvent(alice, eventId);
    await expect(canvasOf(alice)).toHaveAttribute('data-overview', 'true');
    const fittedPx = await seatPx(alice);
    expect(fittedPx).toBeLessThan(PICK_PITCH_PX);
    await alice.evaluate(() => window.scrollTo(0, 0));

    await alice.getByLabel('Seats', { exact: true }).fill('2');
    const answered = alice.waitForResponse((r) => r.url().endsWith(`/api/events/${eventId}/best/`) && r.request().method() === 'POST');
    await alice.getByTestId('find-seats-submit').click();
    const body = (await (await answered).json()) as { seats: { id: number }[] };
    const found = body.seats.map((s) => s.id);
    expect(found).toHaveLength(2);

    // Highlighted, drawn at a size where a seat can be picked, and in sight on the map and the page.
    await expect(canvasOf(alice)).toHaveAttribute('data-highlighted', '2');
    await settled(alice);
    const foundPx = await seatPx(alice);
    expect(foundPx).toBeGreaterThanOrEqual(PICK_PITCH_PX);
    await expect(canvasOf(alice)).toHaveAttribute('data-overview', 'false');
    await expect.poll(async () => {
      const box = (await canvasOf(alice).boundingBox())!;
      const size = alice.viewportSize()!;
      const points = await Promise.all(found.map((id) => seatPoint(alice, id)));
      return points.every((p) => p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height && p.y >= 0 && p.y <= size.height);
    }).toBe(true);
    console.log(`theatre on a desktop: seats ${fittedPx} px apart fitted, ${foundPx} px once Find seats flew to its block`);
    // They are the buyer's own now: both drawn as such.
    await expect(canvasOf(alice)).toHaveAttribute('data-own-drawn', '2');
    // The highlight goes after a few seconds; the own seats stay marked, at the fitted zoom too.
    await expect(canvasOf(alice)).toHaveAttribute('data-highlighted', '0', { timeout: 8_000 });
    await alice.getByTestId('map-fit').click();
    await expect(canvasOf(alice)).toHaveAttribute('data-overview', 'true');
    await expect(canvasOf(alice)).toHaveAttribute('data-own-drawn', '2');
    // Section names are on the overview: those of the Section menu.
    await canvasOf(alice).screenshot({ path: test.info().outputPath('theatre-desktop-overview.png') });
    const labels = ((await canvasOf(alice).getAttribute('data-labels')) ?? '').split('|');
    for (const name of ['Stalls', 'Dress Circle', 'Upper Circle', 'STAGE']) expect(labels).toContain(name);
    // The help text speaks of a mouse and keys on a fine pointer.
    await expect(alice.getByTestId('map-help')).toContainText('+ and − zoom');
  });
});

test.describe('phone, 390 × 844, touch', () => {
  const contexts: BrowserContext[] = [];
  test.afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  test('a tap on the arena overview zooms into its section and holds nothing; the next tap holds; own seat drawn distinct at the fitted zoom', async ({ browser }) => {
    test.setTimeout(120_000);
    const eventId = createLayoutEvent('Arena on a phone', 'arena.json');
    const phone = await personAs(browser, contexts, 'alice', PHONE);
    await openEvent(phone, eventId);
    const locks = lockRequests(phone);
    const seats = await seatsOf(phone, eventId);
    const target = seats.find((s) => s.section === '220' && s.row === 'M' && s.number === 10)!;
    const canvas = canvasOf(phone);
    await expect(canvas).toHaveAttribute('data-overview', 'true');
    await expect(phone.getByTestId('map-help')).toContainText('Tap a section to zoom in, tap a seat to hold it, pinch to zoom, drag to move');
    await phone.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
    const labels = ((await canvas.getAttribute('data-labels')) ?? '').split('|');
    expect(labels.filter((l) => /^\d{3}$/.test(l)).length).toBeGreaterThan(10); // sections named at the fitted zoom
    const fitted = await scale(phone);
    const fittedPx = await seatPx(phone);
    expect(fittedPx).toBeLessThan(3);
    let at = await seatPoint(phone, target.id);
    const before = await pixelsAround(phone, at, 10);

    await phone.touchscreen.tap(at.x, at.y);
    await expect.poll(() => scale(phone)).toBeGreaterThan(fitted * 4);
    await settled(phone);
    const zoomedPx = await seatPx(phone);
    expect(zoomedPx).toBeGreaterThanOrEqual(PICK_PITCH_PX);
    console.log(`arena on a phone: seats ${fittedPx} px apart fitted, ${zoomedPx} px after one tap on section 220`);
    await phone.waitForTimeout(500);
    expect(locks).toEqual([]);
    await expect(phone.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(0);

    // Now a tap on the seat holds it; its tooltip shows, and goes with the next tap elsewhere.
    at = await seatPoint(phone, target.id);
    const top = await canvasTop(phone);
    await phone.touchscreen.tap(at.x, at.y);
    await expect(phone.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(1);
    expect(locks).toHaveLength(1);
    await expect(phone.getByTestId('seat-tooltip')).toContainText(target.label);
    const toast = phone.getByTestId('toast');
    await expect(toast).toContainText(`Holding ${target.label}`);
    expect(await inWindow(phone, '[data-testid="toast"]', 80)).toBe(true);
    await expectMapStill(phone, top);
    const help = (await phone.getByTestId('map-help').boundingBox())!;
    await phone.touchscreen.tap(help.x + 10, help.y + 5);
    await expect(phone.getByTestId('seat-tooltip')).toHaveCount(0);

    // The own seat at the fitted zoom: drawn larger than a seat, ringed dark, where it was a dot.
    await phone.getByTestId('map-fit').click();
    await expect(canvas).toHaveAttribute('data-overview', 'true');
    await expect(canvas).toHaveAttribute('data-own-drawn', '1');
    at = await seatPoint(phone, target.id);
    const after = await pixelsAround(phone, at, 10);
    expect(changedPixels(before, after)).toBeGreaterThan(100); // a seat there was ~ 1 px across
    expect(darkPixels(after)).toBeGreaterThan(20); // its ring
    await canvas.screenshot({ path: test.info().outputPath('arena-phone-overview.png') });
    // + zooms about the buyer's seat (not the room's middle, the empty floor): it stays where it is.
    const fit = await scale(phone);
    await phone.getByTestId('map-zoom-in').click();
    await expect.poll(() => scale(phone)).toBeGreaterThan(fit);
    await expect(canvas).toHaveAttribute('data-own-drawn', '1'); // still held (holds last 6 s here)
    const still = await seatPoint(phone, target.id);
    expect(Math.abs(still.x - at.x)).toBeLessThan(1);
    expect(Math.abs(still.y - at.y)).toBeLessThan(1);
    expect(await violations(phone)).toEqual([]);
  });

  test('not logged in: the refusal is in a toast above the bottom bar, the map does not move; axe clean', async ({ browser }) => {
    test.setTimeout(90_000);
    const eventId = createLayoutEvent('Theatre on a phone', 'theatre.json');
    const phone = await personAs(browser, contexts, null, PHONE);
    await openEvent(phone, eventId);
    await expectLive(phone);
    const seats = await seatsOf(phone, eventId);
    const target = seats.find((s) => s.section === 'Stalls' && s.row === 'J' && s.number === 12)!;
    await phone.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
    let at = await seatPoint(phone, target.id);
    await phone.touchscreen.tap(at.x, at.y);
    await expect(canvasOf(phone)).toHaveAttribute('data-overview', 'false');
    await settled(phone);
    const top = await canvasTop(phone);
    at = await seatPoint(phone, target.id);
    await phone.touchscreen.tap(at.x, at.y);
    const toast = phone.getByTestId('toast');
    await expect(toast).toContainText('Log in to hold seats.');
    await expect(toast.getByRole('link', { name: 'Log in' })).toBeVisible();
    expect(await inWindow(phone, '[data-testid="toast"]', 80)).toBe(true);
    await expectMapStill(phone, top);
    await expect(phone.getByTestId('seat-tooltip')).toContainText('Log in to hold seats.');
    expect(await violations(phone)).toEqual([]);
  });
});
