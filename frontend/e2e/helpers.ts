import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const python = path.resolve(here, '..', '..', '.venv', 'bin', 'python');

export const PASSWORD = 'seats-demo-1';

function e2eEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path.join(here, 'e2e.env'), 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  // A second run beside this one (another checkout) takes its own database (e2e/server.sh).
  if (process.env.E2E_DATABASE_URL) env.DATABASE_URL = process.env.E2E_DATABASE_URL;
  if (process.env.E2E_REDIS_URL) env.REDIS_URL = process.env.E2E_REDIS_URL;
  return env;
}

/** Every e-mail the e2e server has sent so far, raw (RFC 5322), as the SMTP server of e2e/server.sh kept them. */
export function mailbox(): string[] {
  const dir = path.join(process.env.E2E_MAILDIR ?? `/tmp/seatmap-e2e-mail-${process.env.E2E_PORT ?? 8765}`, 'new');
  return existsSync(dir) ? readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'utf8')) : [];
}

/**
 * The demo's waiting room started again (seed_demo's `_sale_restart`, as every `make run` does)
 * with its sale `onSaleIn` seconds away instead of five minutes: its forty simulated buyers wait in it.
 */
export function restartDemoSale(onSaleIn: number): number {
  const code = [
    'from datetime import timedelta',
    'from reservations.management.commands import seed_demo',
    'from reservations.models import Event',
    `seed_demo.DEMO_ON_SALE_AFTER = timedelta(seconds=${Number(onSaleIn)})`,
    'event = Event.objects.get(name=seed_demo.QUEUE_EVENT)',
    'seed_demo._sale_restart(event)',
    'print(event.pk)',
  ].join('\n');
  const out = execFileSync(python, ['manage.py', 'shell', '-c', code], { cwd: repoRoot, env: { ...process.env, ...e2eEnv() }, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

/**
 * The event list's card of an event, on the page of the list it falls on: the list comes 50
 * events a page in date order, and the run's other events may come first ("Show more events").
 */
export async function eventCard(page: Page, name: string) {
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
  const more = page.getByRole('button', { name: 'Show more events' });
  await expect(card.or(more).first()).toBeVisible();
  while ((await card.count()) === 0 && (await more.isVisible())) {
    await more.click();
    await expect(card.or(more).first()).toBeVisible();
  }
  return card;
}

/**
 * The id of an event made by the project's own command (`manage.py create_event *args`) on the
 * e2e database, in the process e2e/create_events.py keeps for it beside the server.
 */
function createEventWith(args: string[]): number {
  const url = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 8765) + 2}/`;
  // Refused until that process has loaded Django: the first tests may come sooner.
  const curl = ['-sS', '--fail-with-body', '--retry', '10', '--retry-connrefused', '--retry-delay', '1', '--data-binary', '@-', url];
  const out = execFileSync('curl', curl, { input: JSON.stringify(args), encoding: 'utf8' });
  const lines = out.trim().split('\n');
  const id = Number(lines[lines.length - 1]);
  if (!Number.isInteger(id)) throw new Error(`create_event printed no id: ${out}`);
  return id;
}

/** A fresh event for one test; `more`: further options of the command. */
export function createEvent(name: string, rows: number, seatsPerRow: number, sections = 1, price = '50.00', more: string[] = []): number {
  return createEventWith(['--name', name, '--rows', String(rows), '--seats-per-row', String(seatsPerRow), '--price', price, '--sections', String(sections), '--venue', 'Test Hall', ...more]);
}

/**
 * A fresh event behind a waiting room (API.md "Waiting room"): it opens `opensIn` seconds from
 * now and the sale `onSaleIn` seconds from now; at most `maxActive` buyers shop at once.
 */
export function createQueuedEvent(
  name: string,
  rows: number,
  seatsPerRow: number,
  queue: { opensIn: number; onSaleIn: number; maxActive?: number; turnMinutes?: number; claimSeconds?: number; challenge?: boolean },
): number {
  const more = ['--queue-opens', `now+${queue.opensIn}`, '--on-sale', `now+${queue.onSaleIn}`];
  if (queue.challenge) more.push('--queue-challenge');
  if (queue.maxActive !== undefined) more.push('--max-active', String(queue.maxActive));
  if (queue.turnMinutes !== undefined) more.push('--turn-minutes', String(queue.turnMinutes));
  if (queue.claimSeconds !== undefined) more.push('--claim-seconds', String(queue.claimSeconds));
  return createEvent(name, rows, seatsPerRow, 1, '50.00', more);
}

/** A fresh event sold in a room from a layout file of reservations/venues/examples/. */
export function createLayoutEvent(name: string, example: 'theatre.json' | 'arena.json'): number {
  return createEventWith(['--name', name, '--layout', path.join(repoRoot, 'reservations', 'venues', 'examples', example)]);
}

/**
 * Changes seats of an event straight in the e2e database (a test's own set-up, made before any
 * page or search reads the event): `where` is Seat field lookups (`number__in`), `changes` field
 * values; `{ secondsAgo: N }` is a moment N seconds before the write itself, so a window the test
 * then relies on does not shrink by however long Django takes to start on a busy machine.
 */
export function updateSeats(eventId: number, where: Record<string, string | number | number[]>, changes: Record<string, string | number | boolean | { secondsAgo: number }>): number {
  const code = [
    'import json',
    'from datetime import timedelta',
    'from django.utils import timezone',
    'from reservations.models import Seat',
    `changes = json.loads(${JSON.stringify(JSON.stringify(changes))})`,
    "changes = {k: timezone.now() - timedelta(seconds=v['secondsAgo']) if isinstance(v, dict) else v for k, v in changes.items()}",
    `print(Seat.objects.filter(event_id=${Number(eventId)}, **json.loads(${JSON.stringify(JSON.stringify(where))})).update(**changes))`,
  ].join('\n');
  const out = execFileSync(python, ['manage.py', 'shell', '-c', code], { cwd: repoRoot, env: { ...process.env, ...e2eEnv() }, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

/**
 * `count` tickets of the event gone before the test (a cancelled booking of bob's, each on the
 * event's last seat): a door's revocation list as long as a big hall's, made in one statement.
 */
export function revokedTickets(eventId: number, count: number): void {
  const code = [
    'from django.contrib.auth import get_user_model',
    'from reservations.models import Reservation, ReservedSeat, Seat',
    `seat = Seat.objects.filter(event_id=${Number(eventId)}).order_by("-id").first()`,
    'order = Reservation.objects.create(user=get_user_model().objects.get(username="bob"), event_id=seat.event_id, status="cancelled", total_price=0)',
    `ReservedSeat.objects.bulk_create([ReservedSeat(reservation=order, seat=seat, price=0, is_active=False, ended="cancelled") for _ in range(${Number(count)})], batch_size=5000)`,
  ].join('\n');
  execFileSync(python, ['manage.py', 'shell', '-c', code], { cwd: repoRoot, env: { ...process.env, ...e2eEnv() }, encoding: 'utf8' });
}

/** The organiser revokes every turn pass of an event (reservations/waiting_room/organiser.py), as the admin's action does. */
export function revokeTurns(eventId: number): void {
  const code = ['from reservations.waiting_room.organiser import turns_revoke', `turns_revoke(event_id=${Number(eventId)})`].join('\n');
  execFileSync(python, ['manage.py', 'shell', '-c', code], { cwd: repoRoot, env: { ...process.env, ...e2eEnv() }, encoding: 'utf8' });
}

/**
 * The path of the verification link the server would e-mail the account now (the e2e server
 * e-mails to its console): reservations/accounts/verification_emails.py `verification_link`.
 */
export function verificationLink(username: string): string {
  const code = [
    'from urllib.parse import urlsplit',
    'from django.contrib.auth import get_user_model',
    'from reservations.accounts.verification_emails import verification_link',
    `link = urlsplit(verification_link(get_user_model().objects.get(username=${JSON.stringify(username)})))`,
    'print(f"{link.path}?{link.query}")',
  ].join('\n');
  const out = execFileSync(python, ['manage.py', 'shell', '-c', code], { cwd: repoRoot, env: { ...process.env, ...e2eEnv() }, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1];
}

/** A logged-in browser context (of `options`: a phone's viewport...) and page, through the real login form. */
export async function loginAs(browser: Browser, username: string, contexts?: BrowserContext[], options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  contexts?.push(context);
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();
  return page;
}

export async function openEvent(page: Page, eventId: number): Promise<void> {
  await page.goto(`/events/${eventId}`);
  await expectLive(page);
}

export async function expectLive(page: Page, timeout?: number): Promise<void> {
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible({ timeout });
}

/** A seat button by its label: "A1, Floor, 50.00, available" starts with "A1, ". */
export function seat(page: Page, label: string) {
  return page.getByRole('button', { name: new RegExp(`^${label}, `) });
}

export async function expectSeat(page: Page, label: string, state: string): Promise<void> {
  await expect(seat(page, label)).toHaveAccessibleName(new RegExp(`^${label}, .*, ${state}$`));
}

/** A bearer-token API client for a user, for changes made "elsewhere" while a page watches. */
export async function apiAs(request: APIRequestContext, username: string) {
  const tokenAnswer = await request.post('/api/token/', { data: { username, password: PASSWORD } });
  expect(tokenAnswer.status()).toBe(200);
  const { access } = (await tokenAnswer.json()) as { access: string };
  const headers = { Authorization: `Bearer ${access}` };
  return {
    async seatId(eventId: number, label: string): Promise<number> {
      const answer = await request.get(`/api/events/${eventId}/seats/`, { headers });
      const body = (await answer.json()) as { seats: { id: number; label: string }[] };
      const found = body.seats.find((s) => s.label === label);
      if (!found) throw new Error(`no seat ${label} in event ${eventId}`);
      return found.id;
    },
    async lock(eventId: number, seatId: number) {
      const answer = await request.post(`/api/events/${eventId}/seats/${seatId}/lock/`, { headers, data: {} });
      expect(answer.status(), await answer.text()).toBe(200);
    },
    async lockMany(eventId: number, seatIds: number[]) {
      const answer = await request.post(`/api/events/${eventId}/lock/`, { headers, data: { seat_ids: seatIds } });
      expect(answer.status(), await answer.text()).toBe(200);
    },
    /** The seat's status as the API's seat list says it. */
    async seatStatus(eventId: number, label: string): Promise<string> {
      const answer = await request.get(`/api/events/${eventId}/seats/`, { headers });
      const body = (await answer.json()) as { seats: { label: string; status: string }[] };
      return body.seats.find((s) => s.label === label)?.status ?? 'none';
    },
    /** The HTTP status a GET of `path` is answered with, for this user. */
    async status(path: string): Promise<number> {
      return (await request.get(path, { headers })).status();
    },
    async seatIds(eventId: number): Promise<Map<string, number>> {
      const answer = await request.get(`/api/events/${eventId}/seats/`, { headers });
      const body = (await answer.json()) as { seats: { id: number; label: string }[] };
      return new Map(body.seats.map((s) => [s.label, s.id]));
    },
    async reserve(eventId: number, seatIds: number[]) {
      const answer = await request.post(`/api/events/${eventId}/reserve/`, {
        headers: { ...headers, 'Idempotency-Key': crypto.randomUUID() },
        data: { seat_ids: seatIds },
      });
      expect(answer.status(), await answer.text()).toBe(201);
    },
  };
}

/** `test` with `login(name)`: a person's own browser context, closed when the test ends. */
export const test = base.extend<{ login: (username: string) => Promise<Page> }>({
  login: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use((username) => loginAs(browser, username, contexts));
    for (const context of contexts) await context.close();
  },
});
export { expect };

/**
 * Forgets an event's `seq` counter and `epoch` in Redis, as a Redis restarted without its data
 * would (the key names are realtime/sequence.py's; channel-layer keys are left alone).
 */
export function loseSequence(eventId: number): void {
  const script = [
    'import os, sys, redis',
    'r = redis.Redis.from_url(os.environ["REDIS_URL"])',
    'keys = list(r.scan_iter(match="*seatmap:event:%s}*" % sys.argv[1]))',
    'assert keys, "no sequence keys found"',
    'r.delete(*keys)',
  ].join('\n');
  execFileSync(python, ['-c', script, String(eventId)], { env: { ...process.env, ...e2eEnv() } });
}

/**
 * The List view's seat rows, which axe reads for tens of seconds on a big room: the basket test
 * (basket-phone.spec.ts) has axe read two of them on a phone; the other tests leave them out.
 */
export const LIST_ROWS = '[data-testid="seat-list"] [data-row]';
/** All rows but the first two: one component draws every row, so two show its markup to axe. */
export const LIST_ROWS_BUT_TWO = `${LIST_ROWS}:not([data-row="0"]):not([data-row="1"])`;

/** What axe finds against WCAG 2.2 A/AA on the page, but in the parts `left` out (selectors). */
export async function violations(page: Page, ...left: string[]): Promise<string[]> {
  const axe = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']);
  for (const selector of left) axe.exclude(selector);
  const result = await axe.analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`);
}
