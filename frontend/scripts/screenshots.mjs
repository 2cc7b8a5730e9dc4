// The README's screenshots, taken from the running app in Debian's Chromium: the demo's theatre
// and arena, on a desktop (1366x900) and on a phone (390x844), as a logged-in buyer who asked
// Find seats for four seats. Run by `make screenshots` (scripts/screenshots.sh starts the demo);
// usage: node scripts/screenshots.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:8000', out = '../docs/screenshots'] = process.argv.slice(2);
const SIZES = {
  desktop: { viewport: { width: 1366, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
const ROOMS = { theatre: 'An Evening at the Playhouse', arena: 'Riverside Arena: the big night' };

async function eventIds() {
  const answer = await fetch(`${base}/api/events/`);
  const events = await answer.json();
  return Object.fromEntries(Object.entries(ROOMS).map(([room, name]) => [room, events.find((e) => e.name === name).id]));
}

async function shoot(browser, ids, size, room) {
  const context = await browser.newContext(SIZES[size]);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('seats-demo-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Signed in as alice').waitFor();
  await page.goto(`${base}/events/${ids[room]}`);
  await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
  const file = path.join(out, `${room}-${size}.png`);
  await page.screenshot({ path: file });
  console.log(file);
  await context.close();
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
try {
  const ids = await eventIds();
  for (const size of Object.keys(SIZES)) for (const room of Object.keys(ROOMS)) await shoot(browser, ids, size, room);
} finally {
  await browser.close();
}
