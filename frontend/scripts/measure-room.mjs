/**
 * Canvas vs SVG vs DOM at 20,000 seats, in a real Chromium, without the server.
 *
 *   npm run build:probes && node scripts/measure-room.mjs     # DIST=dist, SEATS=20000 (the probe is built in)
 *   SCREENSHOTS=/tmp/room node scripts/measure-room.mjs       # also fit.png, zoom.png, hover.png
 *
 * Serves the built app with the API and the socket mocked (Playwright's page.route and
 * routeWebSocket), opens a 20,000-seat room, and prints: load to first canvas frame; a zoom
 * key → two animation frames (draw + paint + composite) on the canvas; the canvas's own script
 * time per frame (from the probe, `canvas.seatMap.drawMs`); and, in the same browser, the same
 * transform change on 20,000 SVG circles and on 20,000 absolutely positioned buttons.
 * Headless Chromium paints in software: compare the numbers with each other, not with 16.7 ms.
 * Not a test: nothing fails; read the output.
 */
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, '..', process.env.DIST ?? 'dist');
const SHOTS = process.env.SCREENSHOTS ?? null;
const PER_ROW = 200;
const N_ROWS = Math.max(1, Math.round(Number(process.env.SEATS ?? 20000) / PER_ROW));
const cats = [
  { id: 1, name: 'Premium', price: '85.00', colour: '#7b2cbf', seats_total: 5000, seats_available: 4000 },
  { id: 2, name: 'Stalls', price: '45.00', colour: '#0072b2', seats_total: 5000, seats_available: 4000 },
  { id: 3, name: 'Circle', price: '30.00', colour: '#d55e00', seats_total: 5000, seats_available: 4000 },
  { id: 4, name: 'Gallery', price: '15.00', colour: '#009e73', seats_total: 5000, seats_available: 4000 },
];
const seats = [], lseats = [];
for (let r = 0; r < N_ROWS; r++) for (let n = 0; n < PER_ROW; n++) {
  const id = r * PER_ROW + n + 1; const st = id % 13;
  const section = r < 25 ? 'Premium stalls' : r < 50 ? 'Stalls' : r < 75 ? 'Circle' : 'Gallery';
  seats.push({ id, label: `R${r + 1}-${n + 1}`, section, row: String(r + 1), number: n + 1, price: cats[Math.floor(r / 25)].price,
    status: st === 1 ? 'locked' : st === 2 ? 'reserved' : 'available', version: 1, locked_until: st === 1 ? '2099-01-01T00:00:00Z' : null, mine: false,
    category: Math.floor(r / 25) + 1, accessible: n < 2 && r % 10 === 0, companion: false, restricted_view: false, blocked: st === 2 && id % 2 === 0 });
  const radius = 300 + r * 12 + Math.floor(r / 25) * 30; const angle = (n - PER_ROW / 2) * 12 / radius * 0.6;
  lseats.push({ id, x: 1600 + Math.sin(angle) * radius, y: 150 + Math.cos(angle) * radius * 0.8, rotation: angle * 57 });
}
const layout = { event_id: 1, width: 3600, height: 2000, seats: lseats, shapes: [
  { kind: 'rect', x: 1300, y: 20, width: 600, height: 100, label: 'Stage', role: 'stage' },
  { kind: 'rect', x: 200, y: 380, width: 2800, height: 300, label: 'Premium stalls', role: 'section' },
  { kind: 'text', x: 1600, y: 1380, text: 'Entrance', size: 30 } ] };
// The documents the client reads on arrival (docs/API.md `map/` and `state/`), in columns.
const sectionNames = [...new Set(seats.map((s) => s.section))];
const seatMap = { event_id: 1, version: 1, seats_total: seats.length,
  plan: { width: layout.width, height: layout.height, shapes: layout.shapes },
  categories: cats.map(({ id, name, price, colour }) => ({ id, name, price, colour })), sections: sectionNames,
  seats: { id: seats.map((s) => s.id), label: seats.map((s) => s.label), section: seats.map((s) => sectionNames.indexOf(s.section)),
    row: seats.map((s) => s.row), number: seats.map((s) => s.number), category: seats.map((s) => s.category - 1),
    flags: seats.map((s) => (s.accessible ? 1 : 0) | (s.companion ? 2 : 0) | (s.restricted_view ? 4 : 0) | (s.blocked ? 8 : 0)),
    x: lseats.map((s) => s.x), y: lseats.map((s) => s.y), rotation: lseats.map((s) => s.rotation) } };
const seatStates = { event_id: 1, epoch: 'e', seq: 1, seats_total: seats.length, status: seats.map((s) => s.status[0]).join(''),
  version: seats.map((s) => s.version), locked_until: Object.fromEntries(seats.filter((s) => s.locked_until).map((s) => [s.id, s.locked_until])) };
const event = { id: 1, name: 'Big room', venue: 'Town Hall', starts_at: '2026-12-25T20:00:00Z', price_min: '15.00', price_max: '85.00', seats_total: 20000, seats_available: 16000, categories: cats };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell', args: ['--no-sandbox'] });
if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
const shot = (name) => (SHOTS ? { path: path.join(SHOTS, name) } : null);
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
await page.route('**/*', async (route) => {
  const url = new URL(route.request().url());
  const p = url.pathname;
  const json = (body, status = 200) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  if (p === '/api/me/') return json({ error: 'no', code: 'not_authenticated' }, 401);
  if (p === '/api/events/1/') return json(event);
  if (p === '/api/events/1/map/') return json(seatMap);
  if (p === '/api/events/1/state/') return json(seatStates);
  if (p.startsWith('/api/')) return json({ error: 'x', code: 'not_found' }, 404);
  const file = path.join(DIST, p);
  if (p !== '/' && fs.existsSync(file) && fs.statSync(file).isFile()) {
    const type = p.endsWith('.js') ? 'text/javascript' : p.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(file) });
  }
  return route.fulfill({ status: 200, contentType: 'text/html', body: fs.readFileSync(path.join(DIST, 'index.html')) });
});
await page.routeWebSocket('**/ws/**', (ws) => {
  ws.send(JSON.stringify({ type: 'resumed', event_id: 1, seq: 1, epoch: 'e' })); // the page asked ?epoch=e&seq=1
  ws.onMessage((m) => { const f = JSON.parse(String(m)); if (f.type === 'ping') ws.send(JSON.stringify({ type: 'pong' })); });
});

const t0 = Date.now();
await page.goto('http://app.test/events/1');
const canvas = page.getByTestId('seat-canvas');
await canvas.waitFor({ timeout: 60000 });
await page.waitForFunction(() => Number(document.querySelector('[data-testid=seat-canvas]')?.dataset.draws ?? 0) > 0);
console.log(`${seats.length} seats: load to first canvas frame`, Date.now() - t0, 'ms');

// frame cost: a key zoom, then two rAFs (draw + paint + composite)
const frame = async (sel, key) => page.evaluate(async ([sel, key]) => {
  const el = document.querySelector(sel); el.focus();
  const times = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    el.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? key[0] : key[1], bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[15].toFixed(1), p90: times[27].toFixed(1) };
}, [sel, key]);
console.log('canvas: zoom in/out key → 2 rAF (ms)', await frame('[data-testid=seat-map-viewport]', ['-', '+']));
const drawMs = await canvas.evaluate((c) => { const a = [...c.seatMap.drawMs].sort((x, y) => x - y); return { frames: c.seatMap.draws, median: a[Math.floor(a.length / 2)].toFixed(2), max: a[a.length - 1].toFixed(2) }; });
console.log('canvas: drawFrame script time', drawMs);
await page.getByTestId('map-fit').click();
await page.waitForTimeout(200);
if (SHOTS) await canvas.screenshot(shot('fit.png'));
// zoom in around the stage and screenshot
const vp = page.getByTestId('seat-map-viewport');
await vp.focus();
for (let i = 0; i < 4; i++) await page.keyboard.press('+');
await page.waitForTimeout(200);
const box = await canvas.boundingBox();
let hovered = null;
for (let dy = 0; dy < 200 && hovered === null; dy += 3) {
  hovered = await canvas.evaluate((c, [x, y]) => c.seatMap.seatAt(x, y), [box.x + box.width / 2, box.y + box.height / 3 + dy]);
}
const pt = hovered && (await canvas.evaluate((c, id) => c.seatMap.seatPoint(id), hovered));
if (pt) {
  await page.mouse.move(pt.x, pt.y);
  await page.waitForTimeout(100);
}
console.log('tooltip on hover:', await page.getByTestId('seat-tooltip').textContent().catch(() => 'none'));
if (SHOTS) await page.screenshot(shot('hover.png'));
await page.mouse.move(0, 0);
for (let i = 0; i < 8; i++) await page.keyboard.press('+');
await page.waitForTimeout(200);
if (SHOTS) await canvas.screenshot(shot('zoom.png'));

// the alternatives, in the same browser: 20,000 SVG circles, and 20,000 positioned buttons
const alt = await page.evaluate(async ({ lseats }) => {
  const measure = async (move) => { const t = []; for (let i = 0; i < 30; i++) { const t0 = performance.now(); move(i); await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); t.push(performance.now() - t0); } t.sort((a, b) => a - b); return { median: t[15].toFixed(1), p90: t[27].toFixed(1) }; };
  const host = document.createElement('div'); host.style.cssText = 'position:fixed;inset:0;overflow:hidden;background:#fff;z-index:99'; document.body.append(host);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg'); svg.setAttribute('width', '1280'); svg.setAttribute('height', '900');
  const g = document.createElementNS(NS, 'g'); svg.append(g);
  let t0 = performance.now();
  for (const s of lseats) { const c = document.createElementNS(NS, 'circle'); c.setAttribute('cx', s.x); c.setAttribute('cy', s.y); c.setAttribute('r', 4); c.setAttribute('fill', '#7b2cbf'); c.setAttribute('tabindex', '0'); c.setAttribute('role', 'button'); c.setAttribute('aria-label', 'Seat ' + s.id); g.append(c); }
  host.append(svg);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const svgBuild = (performance.now() - t0).toFixed(0);
  const svgMove = await measure((i) => g.setAttribute('transform', `translate(${i % 2 ? 0 : -50} 0) scale(${i % 2 ? 0.4 : 0.5})`));
  host.replaceChildren();
  const box = document.createElement('div'); host.append(box); box.style.cssText = 'position:absolute;left:0;top:0;transform-origin:0 0';
  t0 = performance.now();
  for (const s of lseats) { const b = document.createElement('button'); b.style.cssText = `position:absolute;left:${s.x}px;top:${s.y}px;width:8px;height:8px;padding:0;border:0;border-radius:50%;background:#0072b2`; b.setAttribute('aria-label', 'Seat ' + s.id); box.append(b); }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const domBuild = (performance.now() - t0).toFixed(0);
  const domMove = await measure((i) => { box.style.transform = `translate(${i % 2 ? 0 : -50}px,0) scale(${i % 2 ? 0.4 : 0.5})`; });
  // one seat's colour changes (a push): SVG attribute change
  host.remove();
  return { svgBuild, svgMove, domBuild, domMove };
}, { lseats });
console.log('SVG 20k circles: build+first paint', alt.svgBuild, 'ms; transform change → 2 rAF', alt.svgMove);
console.log('DOM 20k buttons: build+first paint', alt.domBuild, 'ms; transform change → 2 rAF', alt.domMove);
await browser.close();
