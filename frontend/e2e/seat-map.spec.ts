import type { WebSocketRoute } from '@playwright/test';
import { apiAs, createEvent, expect, expectLive, expectSeat, loseSequence, openEvent, seat, test } from './helpers';

// Holds last SEAT_LOCK_SECONDS=6 on the e2e server (e2e/e2e.env): each flow below that needs
// a hold to stay does its steps well inside that.

test('Alice and Bob on one map: hold, refused, booked, cancelled, taken', async ({ login }) => {
  const eventId = createEvent('Duet night', 3, 8);
  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);
  await expect(bob.getByText('2 people watching')).toBeVisible();

  // Alice holds A1 (her click answered by the server's fast path, as a script's would be);
  // Bob's page shows it held without a reload.
  const lock = alice.waitForResponse((r) => r.url().endsWith('/lock/') && r.request().method() === 'POST');
  await seat(alice, 'A1').click();
  expect((await lock).headers()['x-seatmap-path']).toBe('fast');
  await expectSeat(alice, 'A1', 'held by you');
  await expect(seat(alice, 'A1')).toHaveAttribute('aria-pressed', 'true');
  await expect(alice.getByRole('list', { name: 'Held seats' })).toContainText('Floor · Row A · Seat 1');
  await expect(alice.getByLabel(/^Floor · Row A · Seat 1 hold: [0-6] seconds? left$/)).toBeVisible();
  await expectSeat(bob, 'A1', 'held by someone else');

  // Bob cannot take it: his map knows whose it is and until when, and says so without asking.
  await seat(bob, 'A1').click();
  // By when, in hours and minutes (the browser's language: "08:15 PM" here), never seconds.
  await expect(bob.getByTestId('toast-region')).toHaveText(/^A1 is held by someone else, may come back by \d\d:\d\d\s[AP]M\.$/);
  await expectSeat(bob, 'A1', 'held by someone else');

  // Alice books it and lands on her booking; Bob sees it booked.
  await alice.getByRole('button', { name: 'Reserve 1 seat' }).click();
  await expect(alice.getByRole('heading', { name: 'Your booking is confirmed' })).toBeVisible();
  await expect(alice.getByRole('table', { name: 'Seats' })).toContainText('A1');
  await expectSeat(bob, 'A1', 'booked');
  // Coming back, the page learns from `holds/` which booked seats are hers.
  await openEvent(alice, eventId);
  await expectSeat(alice, 'A1', 'booked by you');

  // Alice cancels from My reservations, with a confirmation; Bob sees A1 free and takes it.
  await alice.getByRole('link', { name: 'My reservations', exact: true }).click();
  const booking = alice.getByRole('listitem').filter({ hasText: 'Duet night' }).first();
  await booking.getByRole('button', { name: /^Cancel reservation/ }).click();
  const dialog = alice.getByRole('dialog', { name: 'Cancel this reservation?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(alice.getByRole('status').filter({ hasText: /cancelled/ })).toBeVisible();
  await expect(booking.getByText('Cancelled')).toBeVisible();

  await expectSeat(bob, 'A1', 'available');
  await seat(bob, 'A1').click();
  await expectSeat(bob, 'A1', 'held by you');
});

test('a wrong password says so', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(page).toHaveURL(/\/login$/);
});

test('a reload on /events/<id> stays on the live map, still logged in', async ({ login }) => {
  const eventId = createEvent('Reload recital', 2, 6);
  const alice = await login('alice');
  await openEvent(alice, eventId);
  await alice.reload();
  await expect(alice).toHaveURL(new RegExp(`/events/${eventId}$`));
  await expect(alice.getByRole('heading', { level: 1, name: 'Reload recital' })).toBeVisible();
  await expectLive(alice);
  await expectSeat(alice, 'A1', 'available');
  await expect(alice.getByText('Signed in as alice')).toBeVisible();
});

test('someone not logged in watches live and is asked to log in to hold', async ({ page, request }) => {
  const eventId = createEvent('Open rehearsal', 2, 6);
  await openEvent(page, eventId);
  await seat(page, 'A2').click();
  await expect(page.getByRole('status').filter({ hasText: 'Log in to hold seats.' })).toBeVisible();
  const bob = await apiAs(request, 'bob');
  await bob.lock(eventId, await bob.seatId(eventId, 'A3'));
  await expectSeat(page, 'A3', 'held by someone else');
  await page.goto('/reservations');
  await expect(page).toHaveURL(/\/login\?next=%2Freservations$/);
});

test('a hold that runs out frees the seat on both screens', async ({ login }) => {
  const eventId = createEvent('Short hold', 2, 6);
  const alice = await login('alice');
  const bob = await login('bob');
  await openEvent(alice, eventId);
  await openEvent(bob, eventId);
  await seat(alice, 'B2').click();
  await expectSeat(alice, 'B2', 'held by you');
  await expectSeat(bob, 'B2', 'held by someone else');
  // 6 s hold, the sweeper's push within 2 s of it.
  await expect(seat(alice, 'B2')).toHaveAccessibleName(/, available$/, { timeout: 12_000 });
  await expect(seat(bob, 'B2')).toHaveAccessibleName(/, available$/, { timeout: 12_000 });
  await expect(alice.getByTestId('toast')).toContainText('Your hold on Floor · Row B · Seat 2 ran out');
  await expect(alice.getByRole('button', { name: 'Reserve', exact: true })).toBeDisabled();
  // And Bob can take it now.
  await seat(bob, 'B2').click();
  await expectSeat(bob, 'B2', 'held by you');
  await expectSeat(alice, 'B2', 'held by someone else');
});

test('the socket dropping and coming back resyncs the map', async ({ login, request }) => {
  const eventId = createEvent('Flaky network', 2, 6);
  const alice = await login('alice');
  let online = true;
  const routes: WebSocketRoute[] = [];
  await alice.routeWebSocket(/\/ws\/events\//, (ws) => {
    if (!online) {
      void ws.close({ code: 1012, reason: 'offline (test)' });
      return;
    }
    routes.push(ws);
    ws.connectToServer();
  });
  await openEvent(alice, eventId);

  online = false;
  for (const ws of routes) await ws.close({ code: 1012, reason: 'dropped (test)' });
  await expect(alice.getByRole('status', { name: /Connection: (Reconnecting|Catching up)/ })).toBeVisible();

  // Meanwhile Bob books A1 and holds A2 (outside Alice's page).
  const bob = await apiAs(request, 'bob');
  const a1 = await bob.seatId(eventId, 'A1');
  const a2 = await bob.seatId(eventId, 'A2');
  await bob.lock(eventId, a1);
  await bob.reserve(eventId, [a1]);
  await bob.lock(eventId, a2);
  await expectSeat(alice, 'A1', 'available'); // stale while cut off, as it must be

  online = true;
  await expectLive(alice);
  await expectSeat(alice, 'A1', 'booked');
  await expectSeat(alice, 'A2', 'held by someone else');
});

test('a lost message (seq gap) is noticed and filled from a snapshot', async ({ login, request }) => {
  const eventId = createEvent('Lossy link', 2, 6);
  const alice = await login('alice');
  let dropNextSeats = false;
  let snapshotsAsked = 0;
  await alice.routeWebSocket(/\/ws\/events\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string' && message.includes('"snapshot"')) snapshotsAsked += 1;
      server.send(message);
    });
    server.onMessage((message) => {
      if (dropNextSeats && typeof message === 'string' && JSON.parse(message).type === 'seats') {
        dropNextSeats = false;
        return; // lost on the way
      }
      ws.send(message);
    });
  });
  await openEvent(alice, eventId);

  const bob = await apiAs(request, 'bob');
  const b1 = await bob.seatId(eventId, 'B1');
  const b2 = await bob.seatId(eventId, 'B2');
  dropNextSeats = true;
  await bob.lock(eventId, b1); // this push is lost
  await expect.poll(() => dropNextSeats).toBe(false);
  await expectSeat(alice, 'B1', 'available');
  await bob.lock(eventId, b2); // the next one shows the gap
  await expectSeat(alice, 'B2', 'held by someone else');
  await expectSeat(alice, 'B1', 'held by someone else');
  expect(snapshotsAsked).toBeGreaterThanOrEqual(1);
  await expectLive(alice);
});

test('the purchase limit is explained before and when it is hit, and a release makes room', async ({ login, request }) => {
  const eventId = createEvent('Greedy', 2, 8);
  const bob = await login('bob');
  await openEvent(bob, eventId);
  const bobApi = await apiAs(request, 'bob');
  const ids = await bobApi.seatIds(eventId);
  // SEAT_PURCHASE_LIMIT is 10: Bob holds ten seats elsewhere (another tab, say)...
  await bobApi.lockMany(eventId, ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'B1', 'B2'].map((l) => ids.get(l)!));
  await expect(seat(bob, 'B2')).not.toHaveAccessibleName(/, available$/);
  // ...and cannot take an eleventh. The page then reads the seat list again and shows all ten
  // as his (the socket never says whose a hold is).
  await seat(bob, 'B3').click();
  await expect(bob.getByTestId('toast')).toContainText('One buyer may have at most 10 seats of this event, held and booked together');
  await expectSeat(bob, 'B3', 'available');
  await expectSeat(bob, 'B2', 'held by you');
  await expect(bob.getByRole('list', { name: 'Held seats' }).getByRole('listitem')).toHaveCount(10);
  // Now the page knows: the basket says it, and the next click is told without asking.
  await expect(bob.getByTestId('basket-limit')).toHaveText('10 of 10 seats held: the most one buyer may have of this event');
  await bob.getByTestId('toast').getByRole('button', { name: 'Dismiss message' }).click();
  await seat(bob, 'B4').click();
  await expect(bob.getByTestId('toast')).toContainText('One buyer may have at most 10 seats of this event, held and booked together, and you hold 10.');
  await expectSeat(bob, 'B4', 'available');
  await bob.getByRole('button', { name: 'Release Floor · Row A · Seat 1' }).click();
  await expectSeat(bob, 'A1', 'available');
  await seat(bob, 'B3').click();
  await expectSeat(bob, 'B3', 'held by you');
});

test('a new epoch (Redis lost its counters) makes the page resync and stay right', async ({ login, request }) => {
  const eventId = createEvent('New epoch', 2, 6);
  const alice = await login('alice');
  const epochs = new Set<string>();
  let snapshotsAsked = 0;
  await alice.routeWebSocket(/\/ws\/events\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string' && message.includes('"snapshot"')) snapshotsAsked += 1;
      server.send(message);
    });
    server.onMessage((message) => {
      if (typeof message === 'string') {
        const frame = JSON.parse(message) as { epoch?: string };
        if (frame.epoch) epochs.add(frame.epoch);
      }
      ws.send(message);
    });
  });
  await openEvent(alice, eventId);
  const bob = await apiAs(request, 'bob');
  await bob.lock(eventId, await bob.seatId(eventId, 'A1'));
  await expectSeat(alice, 'A1', 'held by someone else');

  loseSequence(eventId);
  await bob.lock(eventId, await bob.seatId(eventId, 'A2'));
  await expectSeat(alice, 'A2', 'held by someone else');
  await bob.lock(eventId, await bob.seatId(eventId, 'A3'));
  await expectSeat(alice, 'A3', 'held by someone else');
  await expectLive(alice);
  expect(epochs.size).toBe(2);
  expect(snapshotsAsked).toBeGreaterThanOrEqual(1); // the new epoch made the page ask for a snapshot
});
