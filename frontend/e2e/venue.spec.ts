import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { apiAs, createLayoutEvent, expect, expectLive, openEvent, test, violations, LIST_ROWS } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Probe {
  view(): { scale: number; x: number; y: number };
  seatPoint(id: number): { x: number; y: number } | null;
}

/**
 * Clicks seat `id` where the canvas draws it. On the overview (seats too small to pick) the
 * first click zooms into the seat's section and holds nothing; the seat is clicked once the
 * zoom has settled.
 */
async function clickSeat(page: Page, id: number): Promise<void> {
  const canvas = page.getByTestId('seat-canvas');
  const point = () => canvas.evaluate((el, id) => (el as HTMLCanvasElement & { seatMap: Probe }).seatMap.seatPoint(id)!, id);
  if ((await canvas.getAttribute('data-overview')) === 'true') {
    const at = await point();
    await page.mouse.click(at.x, at.y);
    await expect(canvas).toHaveAttribute('data-overview', 'false');
    let last = '';
    await expect
      .poll(async () => {
        const now = (await canvas.getAttribute('data-scale')) ?? '';
        const same = now === last;
        last = now;
        return same;
      }, { intervals: [120] })
      .toBe(true);
  }
  const at = await point();
  await page.mouse.click(at.x, at.y);
}

const scale = (page: Page) =>
  page.evaluate(() => (document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap: Probe }).seatMap.view().scale);

/** A seat of the list view, which names it "Circle, row A, seat 36, Premium 85.00, available". */
const listSeat = (page: Page, id: number) => page.locator(`[data-seat-id="${id}"]`);
const expectListSeat = (page: Page, id: number, state: string) =>
  expect(listSeat(page, id)).toHaveAccessibleName(new RegExp(`, ${state}(, |$)`));

test('the theatre: drawn as the room with its prices, zoomed, held by mouse and by keyboard, warned, extended, seen live', async ({ login, request }) => {
  test.setTimeout(180_000);
  const eventId = createLayoutEvent('Theatre night', 'theatre.json');
  const detail = (await (await request.get(`/api/events/${eventId}/`)).json()) as { categories: { id: number; name: string; price: string }[] };
  expect(detail.categories.length).toBeGreaterThanOrEqual(3);
  const seats = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as {
    id: number;
    label: string;
    status: string;
    accessible: boolean;
    companion: boolean;
    section: string;
    row: string;
  }[];
  const plain = seats.filter((s) => s.status === 'available' && !s.accessible && !s.companion);
  const byMouse = plain[Math.floor(plain.length / 2)];
  const firstOfRow = plain.find((s) => s.section === byMouse.section && s.row !== byMouse.row)!;

  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);
  await expect(alice.locator('[data-map-kind="venue"]')).toBeVisible();
  const legend = alice.getByTestId('category-legend');
  for (const category of detail.categories) await expect(legend).toContainText(category.name);
  expect(await violations(alice)).toEqual([]);

  // Zoom in with the control, then hold a seat by clicking where the canvas drew it.
  const before = await scale(alice);
  await alice.getByTestId('map-zoom-in').click();
  await expect.poll(() => scale(alice)).toBeGreaterThan(before);
  await alice.getByTestId('map-fit').click();
  // The Find seats bar sits above the map: bring the whole map on screen, as a person would scroll.
  await alice.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
  await clickSeat(alice, byMouse.id);
  await expect(alice.getByTestId('hold-warning-live')).toContainText(byMouse.label);

  // Bob, on the map of the same room, sees it held at once (the list view names each seat).
  await bob.getByTestId('view-list').click();
  await expectListSeat(bob, byMouse.id, 'held by someone else');

  // Alice finds a seat by keyboard in the list view and holds it.
  await alice.getByTestId('view-list').click();
  await listSeat(alice, firstOfRow.id).focus();
  await alice.keyboard.press('ArrowRight');
  const focusedId = Number(await alice.evaluate(() => document.activeElement?.getAttribute('data-seat-id')));
  expect(focusedId).not.toBe(firstOfRow.id);
  await alice.keyboard.press('Enter');
  await expectListSeat(alice, focusedId, 'held by you');
  await expectListSeat(bob, focusedId, 'held by someone else');

  // Holds last 6 s here: the warning comes at once, and one action keeps the seats longer.
  const warning = alice.getByTestId('hold-warning-live');
  await expect(warning).toContainText(/ends? in less than/);
  const until = async () =>
    ((await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number; locked_until: string | null }[]).find(
      (s) => s.id === focusedId,
    )!.locked_until;
  const first = await until();
  await alice.waitForTimeout(1_100); // a new whole second, so the extension is visible
  await alice.getByTestId('keep-seats').click();
  await expect.poll(until).not.toBe(first);
  expect(Date.parse((await until())!)).toBeGreaterThan(Date.parse(first!));
  await expectListSeat(bob, focusedId, 'held by someone else');
  expect(await violations(alice, LIST_ROWS)).toEqual([]);
});

test('the theatre as the room draws it: seats someone holds show as held where they are drawn (docs/theatre-map.png with SEATMAP_SCREENSHOT=1)', async ({ login, request }) => {
  test.setTimeout(90_000);
  const eventId = createLayoutEvent('An Evening at the Playhouse', 'theatre.json');
  const bob = await apiAs(request, 'bob');
  const seats = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number; label: string; row: string; section: string; number: number }[];
  const some = seats.filter((s) => s.section === seats[0].section && ['E', 'F'].includes(s.row) && s.number >= 8 && s.number <= 12);
  expect(some.length).toBeGreaterThan(1);
  const alice = await login('alice');
  await openEvent(alice, eventId);
  await expect(alice.locator('[data-map-kind="venue"]')).toBeVisible();
  const canvas = alice.getByTestId('seat-canvas');
  await expect(canvas).toHaveAttribute('data-seats-drawn', String(seats.length));

  // Held while Alice watches (holds last 6 s here): the room shows it, told by the seat's tooltip.
  await bob.lockMany(eventId, some.map((s) => s.id));
  await alice.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
  for (const held of [some[0], some[some.length - 1]]) {
    const at = await canvas.evaluate((el, id) => (el as HTMLCanvasElement & { seatMap: Probe }).seatMap.seatPoint(id), held.id);
    await alice.mouse.move(at!.x, at!.y);
    const tip = alice.getByTestId('seat-tooltip');
    await expect(tip).toContainText(held.label);
    await expect(tip).toContainText('held by someone else');
  }
  await alice.mouse.move(1, 1);
  await expect(alice.getByTestId('seat-tooltip')).toHaveCount(0);
  await alice.evaluate(() => window.scrollTo(0, 0));
  const file = process.env.SEATMAP_SCREENSHOT ? path.join(here, '..', 'docs', 'theatre-map.png') : test.info().outputPath('theatre-map.png');
  await alice.screenshot({ path: file });
});

/**
 * Runs in every document of the page before its scripts: records, in the page's own clock, each
 * canvas frame (the probe's `data-draws`), when the status first says Live, the long tasks
 * (> 50 ms of main thread), and the socket's first frame.
 */
function arrivalProbe() {
  const w = window as unknown as { __arrival: { draws: number[]; live: number | null; longTasks: [number, number][]; firstFrame: { type: string; bytes: number } | null } };
  w.__arrival = { draws: [], live: null, longTasks: [], firstFrame: null };
  const a = w.__arrival;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) a.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task timing in this browser
  }
  new MutationObserver((records) => {
    for (const r of records) if (r.type === 'attributes' && r.attributeName === 'data-draws') a.draws.push(performance.now());
    if (a.live === null && document.querySelector('[role="status"][aria-label="Connection: Live"]')) a.live = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-draws', 'aria-label'] });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        if (a.firstFrame === null && typeof event.data === 'string') a.firstFrame = { type: (JSON.parse(event.data) as { type: string }).type, bytes: event.data.length };
      });
    }
  };
}

interface Arrival {
  draws: number[];
  live: number | null;
  longTasks: [number, number][];
  firstFrame: { type: string; bytes: number } | null;
  requests: { path: string; transfer: number; body: number; decoded: number; ms: number }[];
  origin: number;
}

const readArrival = (page: Page) =>
  page.evaluate(() => {
    const a = (window as unknown as { __arrival: Omit<Arrival, 'requests' | 'origin'> }).__arrival;
    const requests = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => r.name.includes('/api/'))
      .map((r) => ({ path: new URL(r.name).pathname, transfer: r.transferSize, body: r.encodedBodySize, decoded: r.decodedBodySize, ms: Math.round(r.duration) }));
    return { ...a, requests, origin: performance.timeOrigin } as Arrival;
  });

function describeArrival(label: string, a: Arrival, heldAt: number | null): string {
  const long = a.longTasks.filter(([start]) => a.live === null || start <= a.live + 1_000);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `${label}: first frame drawn ${Math.round(a.draws[0] ?? -1)} ms, live ${Math.round(a.live ?? -1)} ms` +
      (heldAt !== null ? `, clicks from the first frame (into the section, on the seat) held ${Math.round(heldAt)} ms` : '') + ' after navigation',
    `  main thread: ${long.length} long tasks until live, ${Math.round(long.reduce((t, [, d]) => t + d, 0))} ms in all, longest ${Math.round(Math.max(0, ...long.map(([, d]) => d)))} ms`,
    `  socket's first frame: ${a.firstFrame ? `${a.firstFrame.type}, ${kb(a.firstFrame.bytes)}` : 'none'}`,
    ...a.requests.map((r) => `  GET ${r.path}: ${kb(r.transfer)} over the wire (body ${kb(r.body)}, ${kb(r.decoded)} decoded), ${r.ms} ms`),
  ].join('\n');
}

test('the 20,000-seat arena arrives on map/, state/ and a resumed socket, shows a pushed change, and revalidates its map on a reload (figures for BENCHMARKS.md)', async ({ login, request }) => {
  test.setTimeout(180_000);
  const eventId = createLayoutEvent('Arena night', 'arena.json');
  const bob = await apiAs(request, 'bob');
  const ids = [...(await bob.seatIds(eventId)).values()];
  expect(ids.length).toBeGreaterThan(19_000);
  const alice = await login('alice');
  await alice.addInitScript(arrivalProbe);
  const canvas = alice.getByTestId('seat-canvas');
  const pageNow = () => alice.evaluate(() => performance.now());

  // First visit: nothing of this event in the HTTP cache. As soon as the first frame is drawn,
  // click where a seat is drawn (zooming into its section), then on the seat; "held" is when the
  // basket lists it.
  await alice.goto(`/events/${eventId}`);
  await expect.poll(() => alice.evaluate(() => (window as unknown as { __arrival: { draws: number[] } }).__arrival.draws.length), { timeout: 30_000, intervals: [5] }).toBeGreaterThan(0);
  const target = ids[Math.floor(ids.length / 2)];
  await clickSeat(alice, target); // the overview: a click into the section, then one on the seat
  await expect(alice.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(1, { timeout: 30_000 });
  const heldAt = await pageNow();
  await expectLive(alice, 30_000);
  const first = await readArrival(alice);
  const report = [describeArrival(`arena ${ids.length} seats, first visit`, first, heldAt)];
  // What the page reads for its seats (docs/API.md, "Arriving on a map"), and no more: no seat
  // list, no layout, no snapshot on the socket.
  const paths = first.requests.map((r) => r.path);
  for (const read of ['map/', 'state/', 'holds/']) expect(paths).toContain(`/api/events/${eventId}/${read}`);
  for (const gone of ['seats/', 'layout/']) expect(paths).not.toContain(`/api/events/${eventId}/${gone}`);
  expect(first.firstFrame?.type).toBe('resumed');

  // One change pushed by someone else: from sending the lock to the seat shown held where the
  // canvas draws it (its tooltip, under the mouse, follows the store the frame is drawn from).
  const other = ids[ids.length - 1];
  await alice.getByTestId('map-fit').click(); // the whole room again, after the zoom into a section
  await alice.getByTestId('seat-map-viewport').scrollIntoViewIfNeeded();
  const otherAt = await canvas.evaluate((el, id) => (el as HTMLCanvasElement & { seatMap: Probe }).seatMap.seatPoint(id), other);
  await alice.mouse.move(otherAt!.x, otherAt!.y);
  const tip = alice.getByTestId('seat-tooltip');
  await expect(tip).toContainText('available');
  const sent = Date.now();
  await bob.lock(eventId, other);
  await expect.poll(() => tip.textContent(), { timeout: 10_000, intervals: [5] }).toContain('held by someone else');
  report.push(`  one pushed change: shown ${Date.now() - sent} ms after the lock was sent`);

  // Second visit (a reload): the static map comes from the browser's cache, revalidated.
  await alice.reload();
  await expect.poll(() => alice.evaluate(() => (window as unknown as { __arrival: { draws: number[] } }).__arrival.draws.length), { timeout: 30_000, intervals: [5] }).toBeGreaterThan(0);
  await expectLive(alice, 30_000);
  const second = await readArrival(alice);
  report.push(describeArrival('second visit (reload)', second, null));
  // The static map comes from the browser's cache, revalidated (a 304 of a few hundred bytes).
  const mapOf = (a: Arrival) => a.requests.find((r) => r.path === `/api/events/${eventId}/map/`)!;
  expect(mapOf(second).transfer).toBeLessThan(mapOf(first).transfer / 10);

  const text = report.join('\n');
  console.log(text);
  test.info().annotations.push({ type: 'arena', description: text });
});
