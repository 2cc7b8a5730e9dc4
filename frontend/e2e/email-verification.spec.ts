import AxeBuilder from '@axe-core/playwright';
import { createQueuedEvent, expect, PASSWORD, test, verificationLink } from './helpers';

// A new place in a waiting room asks for a verified e-mail (API.md "E-mail verification"): an
// account registered without one is told so in the waiting room, in words, and may add one there.

test('an unverified buyer is asked in the waiting room to add an address, follows the link and takes a place', async ({ login, request }) => {
  const username = `uma${Date.now()}`;
  expect((await request.post('/api/register/', { data: { username, password: PASSWORD } })).status()).toBe(201);
  const page = await login(username);
  const eventId = createQueuedEvent('Verified buyers only', 1, 4, { opensIn: 0, onSaleIn: 600 });
  await expect
    .poll(async () => ((await (await page.request.get(`/api/events/${eventId}/`)).json()) as { queue: unknown }).queue, { timeout: 10_000 })
    .not.toBeNull();

  await page.goto(`/events/${eventId}`);
  const prompt = page.getByTestId('verify-email-prompt');
  await expect(prompt).toContainText('Add your e-mail address to join the queue');
  await expect(page.getByTestId('queue-entry')).toHaveCount(0);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  await prompt.getByLabel('Your e-mail address').fill(`${username}@example.org`);
  await prompt.getByRole('button', { name: 'Send me the link' }).click();
  await expect(prompt.getByRole('status')).toHaveText(`We sent a link to ${username}@example.org. Open it, then come back here.`);
  // Not verified yet: trying again is refused again, now naming the address.
  await prompt.getByRole('button', { name: 'I have confirmed it: join the queue' }).click();
  await expect(prompt).toContainText(`open the link we sent to ${username}@example.org`);
  await expect(prompt.getByRole('button', { name: 'Send the link again' })).toBeVisible();

  // The link (opened in another tab, as from the mail) confirms the address; back in the room,
  // the buyer says so and takes a place.
  const mail = await page.context().newPage();
  await mail.goto(verificationLink(username));
  await expect(mail.getByTestId('email-verified')).toContainText(`${username}@example.org is confirmed`);
  expect((await new AxeBuilder({ page: mail }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map((v) => v.id)).toEqual([]);
  await prompt.getByRole('button', { name: 'I have confirmed it: join the queue' }).click();
  await expect(page.getByTestId('queue-entry')).toHaveText(/^\w+$/);
  await expect(page.getByTestId('verify-email-prompt')).toHaveCount(0);
});
