import AxeBuilder from '@axe-core/playwright';
import { expect, restartDemoSale, test } from './helpers';

// The demo's waiting room as a newcomer meets it after `make run` (seed_demo): forty simulated
// buyers already wait; a visitor takes a place before the on-sale and the draw numbers them
// among the crowd (here the sale starts in seconds, not the demo's five minutes).

test('the demo numbers a visitor among its forty waiting buyers at the on-sale', async ({ login }) => {
  test.setTimeout(90_000);
  const eventId = restartDemoSale(15);
  const alice = await login('alice');
  await alice.goto(`/events/${eventId}`);
  await expect(alice.getByTestId('queue-position')).toContainText('Your number is drawn when the sale starts');
  const entry = (await alice.getByTestId('queue-entry').textContent())!;
  expect(entry).toMatch(/^\w+$/);
  expect((await new AxeBuilder({ page: alice }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations).toEqual([]);

  // The draw: 41 entrants, alice one of them, with a number; she waits for it or is called.
  const queue = async () => (await (await alice.request.get(`/api/events/${eventId}/queue/`)).json()) as { entrants: number; drawn: boolean };
  await expect.poll(async () => (await queue()).drawn, { timeout: 40_000 }).toBe(true);
  expect((await queue()).entrants).toBe(41);
  const proof = (await (await alice.request.get(`/api/events/${eventId}/queue/proof/`)).json()) as { order: string[] };
  const number = proof.order.indexOf(entry) + 1;
  expect(number).toBeGreaterThanOrEqual(1);
  await expect(alice.getByTestId('queue-position').or(alice.getByTestId('turn-bar'))).toContainText(
    number <= 5 ? /Your turn|your turn|called/i : new RegExp(`^No\\. ${number} · `),
    { timeout: 20_000 },
  );
});
