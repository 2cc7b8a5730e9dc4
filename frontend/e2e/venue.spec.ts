import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createLayoutEvent, expect, expectSeat, openEvent, seat, test } from './helpers';

interface Probe {
  view(): { scale: number; x: number; y: number };
  seatPoint(id: number): { x: number; y: number } | null;
}

const scale = (page: Page) =>
  page.evaluate(() => (document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap: Probe }).seatMap.view().scale);

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}

test('the theatre: drawn as the room with its prices, zoomed, held by mouse and by keyboard, warned, extended, seen live', async ({ login, request }) => {
  test.setTimeout(90_000);
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
  const fitted = await alice.evaluate((id) => {
    const canvas = document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & { seatMap: Probe };
    return canvas.seatMap.seatPoint(id);
  }, byMouse.id);
  await alice.mouse.click(fitted!.x, fitted!.y);
  await expect(alice.getByTestId('hold-warning-live')).toContainText(byMouse.label);

  // Bob, on the map of the same room, sees it held at once (the list view names each seat).
  await bob.getByTestId('view-list').click();
  await expectSeat(bob, byMouse.label, 'held by someone else');

  // Alice finds a seat by keyboard in the list view and holds it.
  await alice.getByTestId('view-list').click();
  await seat(alice, firstOfRow.label).focus();
  await alice.keyboard.press('ArrowRight');
  const focusedId = Number(await alice.evaluate(() => document.activeElement?.getAttribute('data-seat-id')));
  const keyboardLabel = seats.find((s) => s.id === focusedId)!.label;
  expect(keyboardLabel).not.toBe(firstOfRow.label);
  await alice.keyboard.press('Enter');
  await expectSeat(alice, keyboardLabel, 'held by you');
  await expectSeat(bob, keyboardLabel, 'held by someone else');
  expect(await violations(alice)).toEqual([]);

  // Holds last 6 s here: the warning comes at once, and one action keeps the seats longer.
  const warning = alice.getByTestId('hold-warning-live');
  await expect(warning).toContainText('ends in less than');
  const until = async () =>
    ((await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as { id: number; locked_until: string | null }[]).find(
      (s) => s.id === byMouse.id,
    )!.locked_until;
  const first = await until();
  await alice.waitForTimeout(1_200); // a new whole second, so the extension is visible
  await alice.getByTestId('keep-seats').click();
  await expect.poll(until).not.toBe(first);
  expect(Date.parse((await until())!)).toBeGreaterThan(Date.parse(first!));
  await expectSeat(bob, byMouse.label, 'held by someone else');
});
