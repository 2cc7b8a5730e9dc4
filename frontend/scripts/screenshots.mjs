// The README's screenshots, taken from the running app in Debian's Chromium: the demo's theatre,
// arena and grid concert, on a desktop (1366x900) and on a phone (390x844), as a logged-in buyer;
// a booking's confirmation page on a phone; and the
// theatre's console as its organiser runs the sale (press seats kept back, a box killed, buyers
// holding and booking, a row selected). Run by `make screenshots` (scripts/screenshots.sh starts the demo);
// usage: node scripts/screenshots.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:8000', out = '../docs/screenshots'] = process.argv.slice(2);
const SIZES = {
  desktop: { viewport: { width: 1366, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
const ROOMS = { theatre: 'An Evening at the Playhouse', arena: 'Riverside Arena: the big night', grid: 'Concert XYZ' };

async function eventIds() {
  const answer = await fetch(`${base}/api/events/`);
  const events = await answer.json();
  return Object.fromEntries(Object.entries(ROOMS).map(([room, name]) => [room, events.find((e) => e.name === name).id]));
}

/** A page of a fresh browser context of this size, logged in as the demo's `username`. */
async function loggedIn(browser, size, username) {
  const context = await browser.newContext(size);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('seats-demo-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`Signed in as ${username}`).waitFor();
  return { context, page };
}

async function shoot(browser, ids, size, room) {
  const { context, page } = await loggedIn(browser, SIZES[size], 'alice');
  await page.goto(`${base}/events/${ids[room]}`);
  await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
  const file = path.join(out, `${room}-${size}.png`);
  await page.screenshot({ path: file });
  console.log(file);
  await context.close();
}

async function token(username) {
  const answer = await fetch(`${base}/api/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'seats-demo-1' }),
  });
  return (await answer.json()).access;
}

async function call(access, method, url, body) {
  const answer = await fetch(`${base}${url}`, {
    method,
    headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${method} ${url}: ${answer.status} ${await answer.text()}`);
  return answer.json();
}

/** The theatre's sale under way: seats kept back and killed, bob's booking, alice's holds. */
async function saleUnderWay(eventId) {
  const { seats } = await call(await token('alice'), 'GET', `/api/events/${eventId}/seats/`);
  const free = seats.filter((s) => s.status === 'available' && !s.blocked);
  const organiser = await token('organiser');
  const take = (ids, kind, purpose, reason) =>
    call(organiser, 'POST', `/api/staff/events/${eventId}/off-sale/take/`, { seat_ids: ids, kind, purpose, reason });
  await take(free.slice(0, 8).map((s) => s.id), 'kept', 'press', 'Opening night reviewers');
  await take(free.slice(8, 12).map((s) => s.id), 'killed', '', 'Camera position');
  // Best available holds seats the theatre's orphan rule allows.
  const bob = await token('bob');
  const held = await call(bob, 'POST', `/api/events/${eventId}/best/`, { count: 4 });
  await call(bob, 'POST', `/api/events/${eventId}/reserve/`, { seat_ids: held.seats.map((s) => s.id) });
  await call(await token('alice'), 'POST', `/api/events/${eventId}/best/`, { count: 3 });
}

async function shootConsole(browser, eventId) {
  const { context, page } = await loggedIn(browser, SIZES.desktop, 'organiser');
  await page.goto(`${base}/console/${eventId}`);
  await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
  const selection = page.getByTestId('selection');
  await selection.getByLabel('Row').selectOption({ index: 3 });
  await selection.getByRole('button', { name: 'Add' }).click();
  await page.getByTestId('selected-count').filter({ hasNotText: /^0 seats$/ }).waitFor();
  await page.getByText(/watching$/).waitFor(); // the presence frame
  await page.getByTestId('money-taken').filter({ hasNotText: '…' }).waitFor();
  const file = path.join(out, 'theatre-console.png');
  await page.screenshot({ path: file });
  console.log(file);
  await context.close();
}

/** alice books two seats of the grid concert, and her confirmation page is what Reserve opens. */
async function shootConfirmation(browser, eventId) {
  const alice = await token('alice');
  const { seats } = await call(alice, 'GET', `/api/events/${eventId}/seats/`);
  const two = seats.filter((s) => s.status === 'available').slice(-2).map((s) => s.id);
  await call(alice, 'POST', `/api/events/${eventId}/lock/`, { seat_ids: two });
  const { reservation } = await call(alice, 'POST', `/api/events/${eventId}/reserve/`, { seat_ids: two });
  const { context, page } = await loggedIn(browser, SIZES.phone, 'alice');
  await page.goto(`${base}/reservations/${reservation.id}`);
  await page.getByRole('link', { name: /calendar/i }).or(page.getByRole('button', { name: /calendar/i })).first().waitFor();
  const file = path.join(out, 'confirmation-phone.png');
  await page.screenshot({ path: file });
  console.log(file);
  await context.close();
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell', args: ['--no-sandbox'] });
try {
  const ids = await eventIds();
  for (const size of Object.keys(SIZES)) for (const room of Object.keys(ROOMS)) await shoot(browser, ids, size, room);
  await saleUnderWay(ids.theatre);
  await shootConsole(browser, ids.theatre);
  await shootConfirmation(browser, ids.grid);
} finally {
  await browser.close();
}
