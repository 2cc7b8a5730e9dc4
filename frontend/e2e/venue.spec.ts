import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createLayoutEvent, expect, openEvent, test } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Probe {
  view(): { scale: number; x: number; y: number };
  seatPoint(id: number): { x: number; y: number } | null;
}

const scale = (page: Page) =>
  page.evaluate(() => (document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap: Probe }).seatMap.view().scale);

/** A seat of the list view, which names it "Circle, row A, seat 36, Premium 85.00, available". */
const listSeat = (page: Page, id: number) => page.locator(`[data-seat-id="${id}"]`);
const expectListSeat = (page: Page, id: number, state: string) =>
  expect(listSeat(page, id)).toHaveAccessibleName(new RegExp(`, ${state}(, |$)`));

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

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
  const fitted = await alice.evaluate((id) => {
    const canvas = document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap: Probe };
    return canvas.seatMap.seatPoint(id);
  }, byMouse.id);
  await alice.mouse.click(fitted!.x, fitted!.y);
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
  await expect(warning).toContainText('ends in less than');
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
  expect(await violations(alice)).toEqual([]);
});

test('the theatre, as a picture (docs/theatre-map.png with SEATMAP_SCREENSHOT=1)', async ({ login, request }) => {
  test.setTimeout(90_000);
  const eventId = createLayoutEvent('An Evening at the Playhouse', 'theatre.json');
  const token = (await (await request.post('/api/token/', { data: { username: 'bob', password: 'seats-demo-1' } })).json()).access as string;
  const seats = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number; row: string; section: string; number: number }[];
  const headers = { Authorization: `Bearer ${token}` };
  const some = seats.filter((s) => s.section === seats[0].section && ['E', 'F'].includes(s.row) && s.number >= 8 && s.number <= 12);
  await request.post(`/api/events/${eventId}/lock/`, { headers, data: { seat_ids: some.map((s) => s.id) } });
  const alice = await login('alice');
  await openEvent(alice, eventId);
  await expect(alice.locator('[data-map-kind="venue"]')).toBeVisible();
  await alice.waitForTimeout(500);
  const file = process.env.SEATMAP_SCREENSHOT ? path.join(here, '..', 'docs', 'theatre-map.png') : test.info().outputPath('theatre-map.png');
  await alice.screenshot({ path: file });
});

test('the 20,000-seat arena: first render and one pushed change (figures for BENCHMARKS.md)', async ({ login, request }) => {
  test.setTimeout(120_000);
  const eventId = createLayoutEvent('Arena night', 'arena.json');
  const token = (await (await request.post('/api/token/', { data: { username: 'bob', password: 'seats-demo-1' } })).json()).access as string;
  const seats = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number }[];
  expect(seats.length).toBeGreaterThan(19_000);
  const alice = await login('alice');
  const draws = () =>
    alice.evaluate(() => (document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap?: { draws: number } } | null)?.seatMap?.draws ?? 0);

  const started = Date.now();
  await alice.goto(`/events/${eventId}`);
  await expect.poll(draws, { timeout: 30_000, intervals: [10] }).toBeGreaterThan(0);
  const firstRenderMs = Date.now() - started;
  await expect(alice.getByRole('status', { name: 'Connection: Live' })).toBeVisible({ timeout: 30_000 });

  const before = await draws();
  const pushed = Date.now();
  const answer = await request.post(`/api/events/${eventId}/seats/${seats[seats.length - 1].id}/lock/`, { headers: { Authorization: `Bearer ${token}` }, data: {} });
  expect(answer.status()).toBe(200);
  await expect.poll(draws, { timeout: 10_000, intervals: [5] }).toBeGreaterThan(before);
  const pushMs = Date.now() - pushed;
  console.log(`arena ${seats.length} seats: first render ${firstRenderMs} ms, one pushed change drawn ${pushMs} ms after the lock was sent`);
});
