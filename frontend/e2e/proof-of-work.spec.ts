import { createQueuedEvent, expect, test } from './helpers';

// A waiting room whose organiser asks for proof of work (API.md "Challenges"): the buyer's
// browser is answered 403 challenge_required, solves the challenge (altcha/lib, real Chromium's
// WebCrypto) and asks again with it, and takes its place without doing anything.

test('a room that asks for proof of work: the browser solves it and the buyer takes a place', async ({ login }) => {
  const page = await login('alice');
  const eventId = createQueuedEvent('Proof of work', 1, 4, { opensIn: 0, onSaleIn: 600, challenge: true });
  const joins: { status: number; altcha: boolean }[] = [];
  page.on('requestfinished', async (request) => {
    if (!request.url().endsWith(`/api/events/${eventId}/queue/join/`)) return;
    const body = (request.postDataJSON() ?? {}) as { altcha?: string };
    joins.push({ status: (await request.response())?.status() ?? 0, altcha: typeof body.altcha === 'string' });
  });

  await page.goto(`/events/${eventId}`);
  await expect(page.getByTestId('queue-entry')).toHaveText(/^\w+$/, { timeout: 20_000 });
  // A request's 'requestfinished' can reach the test after the page has drawn its answer.
  await expect.poll(() => joins.slice(0, 2)).toEqual([
    { status: 403, altcha: false },
    { status: 200, altcha: true },
  ]);
});
