import { createEvent, expect, expectLive, expectSeat, PASSWORD, seat, test } from './helpers';

// The static build served from another origin (vite preview on :4174) talks to the API on :8765
// as the same-origin build does: an access token in memory, the refresh token in the API's
// HttpOnly cookie, and the socket on the API's host. A run in its own slot (E2E_PORT,
// E2E_CROSS_PORT: playwright.config.ts) uses its own ports.
const ORIGIN = `http://127.0.0.1:${process.env.E2E_CROSS_PORT ?? 4174}`;
const API = `http://127.0.0.1:${process.env.E2E_PORT ?? 8765}`;

test('a build on another origin logs in, holds on the fast path, survives a reload, and logs out', async ({ browser }) => {
  const eventId = createEvent('Far away', 2, 6);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${ORIGIN}/login`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText('Signed in as alice')).toBeVisible();
    // Nothing a page script could steal: no token in storage (only the hint that a session may
    // exist, so visitors who never logged in are not sent to the refresh route), the refresh
    // cookie HttpOnly, and sent to the refresh route only.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).toBe('{"seatmap.session":"1"}');
    const refresh = (await context.cookies(`${API}/api/token/cookie/refresh/`)).find(
      (c) => c.name === 'seatmap_refresh',
    );
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.path).toBe('/api/token/cookie/refresh/');
    expect((await context.cookies(`${API}/api/me/`)).map((c) => c.name)).not.toContain('seatmap_refresh');

    await page.goto(`${ORIGIN}/events/${eventId}`);
    await expectLive(page);
    const lock = page.waitForResponse((r) => r.url().endsWith('/lock/') && r.request().method() === 'POST');
    await seat(page, 'A1').click();
    expect((await lock).headers()['x-seatmap-path']).toBe('fast');
    await expectSeat(page, 'A1', 'held by you');

    // A reload forgets the access token: the cookie brings the session back.
    await page.reload();
    await expectLive(page);
    await expect(page.getByText('Signed in as alice')).toBeVisible();
    await expectSeat(page, 'A1', 'held by you');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
  } finally {
    await context.close();
  }
});
