import { createEvent, expect, expectLive, expectSeat, PASSWORD, seat, test } from './helpers';

// The static build served from another origin (vite preview on :4174) talks to the API on :8765
// with bearer tokens (POST /api/token/, refresh on 401 not_authenticated) and opens the socket
// there too.
const ORIGIN = 'http://127.0.0.1:4174';

test('a build on another origin logs in with tokens, refreshes them, and shows the live map', async ({ browser }) => {
  const eventId = createEvent('Far away', 2, 6);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${ORIGIN}/login`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText('Signed in as alice')).toBeVisible();
    const access = await page.evaluate(() => localStorage.getItem('seatmap.access'));
    expect(access).toBeTruthy();

    await page.goto(`${ORIGIN}/events/${eventId}`);
    await expectLive(page);
    await seat(page, 'A1').click();
    await expectSeat(page, 'A1', 'held by you');

    // An access token the server no longer takes: the client refreshes it and carries on.
    await page.evaluate(() => localStorage.setItem('seatmap.access', 'expired.or.forged'));
    await page.goto(`${ORIGIN}/reservations`);
    await expect(page.getByRole('heading', { name: 'My reservations' })).toBeVisible();
    const refreshed = await page.evaluate(() => localStorage.getItem('seatmap.access'));
    expect(refreshed).toBeTruthy();
    expect(refreshed).not.toBe('expired.or.forged');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('seatmap.refresh'))).toBeNull();
  } finally {
    await context.close();
  }
});
