import { createLayoutEvent, expect, openEvent, test, updateSeats } from './helpers';

// Holds last SEAT_LOCK_SECONDS=6 on the e2e server (e2e/e2e.env): the checks on the held block
// come straight after the search.

interface AnsweredSeat {
  id: number;
  label: string;
  section: string;
  row: string;
  number: number;
  status: string;
  accessible: boolean;
  companion: boolean;
  mine: boolean;
}

/** A seat of the list view, which names it "Stalls, row F, seat 8, Standard 55.00, available, ...". */
const listSeat = (page: import('@playwright/test').Page, id: number) => page.locator(`[data-seat-id="${id}"]`);

/** For each seat: is the point where the canvas draws it inside the map's box and inside the page's viewport? */
const seatsOnScreen = (page: import('@playwright/test').Page, ids: number[]) =>
  page.evaluate((ids) => {
    const canvas = document.querySelector('[data-testid="seat-canvas"]') as HTMLCanvasElement & {
      seatMap: { seatPoint(id: number): { x: number; y: number } | null };
    };
    const map = canvas.getBoundingClientRect();
    const page = document.documentElement;
    return ids.map((id) => {
      const at = canvas.seatMap.seatPoint(id);
      if (!at) return false;
      const inMap = at.x >= map.left && at.x <= map.right && at.y >= map.top && at.y <= map.bottom;
      return inMap && at.x >= 0 && at.y >= 0 && at.x <= page.clientWidth && at.y <= page.clientHeight;
    });
  }, ids);

test('Find seats for 3 with one wheelchair space holds a block, shows it, and a second browser sees it held live', async ({ login, page, request }) => {
  const eventId = createLayoutEvent('Find seats night', 'theatre.json');
  // The theatre's wheelchair row (Stalls Z) runs W1 C2 … C31 W32 | aisle | W33 C34 … C63 W64: no
  // wheelchair space has a companion seat on each side, so 3 seats with exactly one space fit
  // nowhere (docs/BEST_AVAILABLE.md: "C W C suits K=1 of 3; C C W does not"). Make 30–32 C W C.
  const row = { section: 'Stalls', row: 'Z' };
  expect(updateSeats(eventId, { ...row, number__in: [30, 32] }, { accessible: false, companion: true })).toBe(2);
  expect(updateSeats(eventId, { ...row, number: 31 }, { accessible: true, companion: false })).toBe(1);

  // Someone not logged in sees the control, disabled.
  await openEvent(page, eventId);
  await expect(page.getByTestId('find-seats-submit')).toBeDisabled();
  await expect(page.getByTestId('find-seats-submit')).toHaveText('Log in to find seats');

  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);
  await expect(alice.locator('[data-map-kind="venue"]')).toBeVisible();
  await bob.getByTestId('view-list').click();

  // Alice has zoomed in on the stage (the wheel zooms about the pointer) and sits at the top of
  // the page: row Z is off screen, on the map (and, on a smaller screen, on the page) until the
  // search brings the block into view.
  const seats = (await (await request.get(`/api/events/${eventId}/seats/`)).json()).seats as AnsweredSeat[];
  const rowZ = [30, 31, 32].map((n) => seats.find((s) => s.section === 'Stalls' && s.row === 'Z' && s.number === n)!.id);
  const plan = (await alice.getByTestId('seat-map-viewport').boundingBox())!;
  await alice.mouse.move(plan.x + plan.width / 2, plan.y + 40);
  for (let i = 0; i < 3; i += 1) await alice.mouse.wheel(0, -400);
  await alice.evaluate(() => window.scrollTo(0, 0));
  await expect.poll(() => seatsOnScreen(alice, rowZ)).toEqual([false, false, false]);

  // Alice asks by keyboard only: 3 seats, any price, one of them a wheelchair space.
  const form = alice.getByTestId('find-seats');
  await expect(alice.getByTestId('find-seats-count')).toHaveValue('2');
  await expect(alice.getByTestId('find-seats-accessible')).toHaveValue('0');
  await alice.getByLabel('Seats', { exact: true }).fill('3');
  await alice.getByLabel('Wheelchair spaces').fill('1');
  await expect(alice.getByTestId('find-seats-category')).toHaveValue('');
  const answered = alice.waitForResponse((r) => r.url().endsWith(`/api/events/${eventId}/best/`) && r.request().method() === 'POST');
  await alice.getByTestId('find-seats-count').focus();
  await alice.keyboard.press('Enter'); // submits the form
  const response = await answered;
  expect(response.status(), await response.text()).toBe(200);
  expect(response.headers()['x-seatmap-path']).toBe('fast'); // the shipped client's request takes the fast path
  expect(response.request().postDataJSON()).toEqual({ count: 3, accessible: 1 });
  const body = (await response.json()) as { seats: AnsweredSeat[]; together: boolean; alternatives: number[][] };
  expect(body.seats).toHaveLength(3);
  expect(body.seats.filter((s) => s.accessible)).toHaveLength(1);
  expect(body.seats.every((s) => s.status === 'locked')).toBe(true);

  // Alice is told where, politely; the basket lists the block as held.
  const result = alice.getByTestId('find-seats-result');
  await expect(result).toHaveAttribute('aria-live', 'polite');
  expect(body.together).toBe(true);
  expect(body.seats.map((s) => `${s.section} ${s.row}${s.number}`)).toEqual(['Stalls Z30', 'Stalls Z31', 'Stalls Z32']);
  await expect(result).toHaveText('Found 3 seats together: Stalls, row Z, seats 30–32. Wheelchair space: seat 31. They are held for you.');
  // The map showed the block (panned, and the page scrolled to it); the keyboard stayed in the form.
  await expect.poll(() => seatsOnScreen(alice, rowZ)).toEqual([true, true, true]);
  await expect(alice.getByTestId('find-seats-count')).toBeFocused();
  const basket = alice.getByRole('list', { name: 'Held seats' });
  for (const s of body.seats) await expect(basket).toContainText(`${s.section} · Row ${s.row} · Seat ${s.number}`);
  await expect(alice.getByRole('button', { name: 'Reserve 3 seats' })).toBeVisible();
  await expect(form).toBeVisible();
  const alternatives = alice.getByTestId('find-seats-alternative');
  if (body.alternatives.length > 0) await expect(alternatives.first()).toHaveText(/^Take these instead: /);

  // Bob, on the same room, sees all three held by someone else without reloading.
  for (const s of body.seats) await expect(listSeat(bob, s.id)).toHaveAccessibleName(/, held by someone else(, |$)/);
});
