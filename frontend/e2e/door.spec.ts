import { writeFileSync } from 'node:fs';
import { chromium, type APIRequestContext } from '@playwright/test';
import QRCode from 'qrcode';
import config from '../playwright.config';
import { createEvent, expect, loginAs, PASSWORD, revokedTickets, test } from './helpers';

/**
 * The door (API.md "Tickets", PROTOCOL.md "The door") in real Chromium: a scanner whose camera
 * is Chromium's fake device playing a video of a ticket's real QR code lets it in, and the
 * organiser's console counts it at once; with the network cut it decides itself (a second
 * ticket let in, its second entry and a forged code refused, a ticket revoked over the socket
 * refused), and once back it uploads what it let in, which the console then counts.
 *
 * Negative control (run once, not committed): with the page ignoring the `door` frame's
 * `revoked`, the first test stopped at "1 revoked".
 */

const W = 640;
const H = 480;

/** A Y4M video (what Chromium's fake camera plays) of the code's QR code, black on white. */
function qrVideo(code: string, file: string): void {
  const { modules } = QRCode.create(code, { errorCorrectionLevel: 'M' });
  const scale = Math.floor(440 / (modules.size + 8));
  const left = Math.floor((W - modules.size * scale) / 2);
  const top = Math.floor((H - modules.size * scale) / 2);
  const luma = Buffer.alloc(W * H, 235);
  for (let y = 0; y < modules.size * scale; y++) {
    for (let x = 0; x < modules.size * scale; x++) {
      if (modules.get(Math.floor(y / scale), Math.floor(x / scale))) luma[(top + y) * W + left + x] = 16;
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array(5).fill(frame)]));
}

async function bearer(request: APIRequestContext, username: string) {
  const answer = await request.post('/api/token/', { data: { username, password: PASSWORD } });
  return { Authorization: `Bearer ${((await answer.json()) as { access: string }).access}` };
}

/** Alice books the event's first `count` seats; their tickets' codes, and the booking's id. */
async function aliceBooks(request: APIRequestContext, eventId: number, count: number) {
  const headers = await bearer(request, 'alice');
  const seats = ((await (await request.get(`/api/events/${eventId}/seats/`, { headers })).json()) as { seats: { id: number }[] }).seats;
  const ids = seats.map((s) => s.id).slice(0, count);
  expect((await request.post(`/api/events/${eventId}/lock/`, { headers, data: { seat_ids: ids } })).status()).toBe(200);
  const reserved = await request.post(`/api/events/${eventId}/reserve/`, { headers: { ...headers, 'Idempotency-Key': crypto.randomUUID() }, data: { seat_ids: ids } });
  const order = ((await reserved.json()) as { reservation: { id: number } }).reservation.id;
  const tickets = (await (await request.get(`/api/reservations/${order}/tickets/`, { headers })).json()) as { tickets: { code: string; seat: { id: number; label: string } }[] };
  return { order, tickets: tickets.tickets };
}

test('a ticket scanned by the camera lets its holder in, offline too, and the console counts it live', async ({ login, request }, testInfo) => {
  const eventId = createEvent('At the door', 1, 4);
  const { order, tickets } = await aliceBooks(request, eventId, 3);
  const [first, second, third] = tickets;
  const video = testInfo.outputPath('ticket.y4m');
  qrVideo(first.code, video);

  // Alice's tickets in My reservations, a QR code a seat.
  const alice = await login('alice');
  await alice.goto('/reservations');
  await alice.getByRole('listitem', { name: `Reservation #${order}` }).getByRole('button', { name: 'Show tickets' }).click();
  await expect(alice.getByRole('img', { name: new RegExp(`^Ticket for .*${first.seat.label}$`) })).toBeVisible();

  const organiser = await login('organiser');
  await organiser.goto(`/console/${eventId}`);
  await expect(organiser.getByTestId('console')).toBeVisible();
  await expect(organiser.getByTestId('door-counts')).toHaveCount(0); // nobody scanned yet

  // The door's phone: a browser of its own, its camera the video of the first ticket's QR code.
  const launch = config.use?.launchOptions ?? {};
  const camera = ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`, '--use-fake-ui-for-media-stream'];
  const phone = await chromium.launch({ ...launch, args: [...(launch.args ?? []), ...camera] });
  try {
    const door = await loginAs(phone, 'organiser');
    const context = door.context();
    await context.grantPermissions(['camera']);
    await door.goto(`/door/${eventId}`);
    await expect(door.getByTestId('door-status')).toContainText('Online');
    await door.getByLabel('Gate').fill('North');
    await door.getByRole('button', { name: 'Start camera' }).click();
    const answer = door.getByTestId('door-answer');
    await expect(answer).toContainText('OK', { timeout: 15_000 });
    await expect(answer).toContainText(first.seat.label);
    await expect(answer).toContainText('alice');
    await door.getByRole('button', { name: 'Stop camera' }).click();
    await expect(organiser.getByTestId('door-counts')).toContainText('1 inside');
    await expect(organiser.getByTestId('door-counts')).toContainText('North: 1 in, 0 out');

    // The organiser refunds the third seat: the scanner hears of it over its socket.
    const staff = await bearer(request, 'organiser');
    const refund = await request.post(`/api/staff/reservations/${order}/refund/`, { headers: staff, data: { seat_ids: [third.seat.id], refunded: '0.00', reason: 'e2e' } });
    expect(refund.status(), await refund.text()).toBe(200);
    await expect(door.getByTestId('door-status')).toContainText('1 revoked');

    // The network cut: the scanner decides with what it keeps, and queues what it let in.
    await context.setOffline(true);
    const typed = door.getByTestId('door-code');
    await typed.fill(second.code);
    await typed.press('Enter');
    await expect(answer).toContainText('OK');
    await expect(answer).toContainText('Checked on this device (offline');
    await expect(door.getByTestId('door-status')).toContainText('1 scan to upload');
    await typed.fill(second.code);
    await typed.press('Enter');
    await expect(answer).toContainText('ALREADY INSIDE');
    await typed.fill(third.code);
    await typed.press('Enter');
    await expect(answer).toContainText('REVOKED');
    await typed.fill(second.code.slice(0, 30) + (second.code[30] === 'A' ? 'B' : 'A') + second.code.slice(31));
    await typed.press('Enter');
    await expect(answer).toContainText('NOT A TICKET');
    await expect(organiser.getByTestId('door-counts')).toContainText('1 inside'); // the server has not heard

    // Back online: the queued scan is uploaded and counted.
    await context.setOffline(false);
    await expect(door.getByTestId('door-status')).toContainText('nothing to upload');
    await expect(organiser.getByTestId('door-counts')).toContainText('2 inside');
  } finally {
    await phone.close();
  }
});

test('a scanner that keeps 20,000 revoked tickets checks a code offline and tells how long it took', async ({ login, request }) => {
  const eventId = createEvent('A big hall’s door', 1, 4);
  const { order, tickets } = await aliceBooks(request, eventId, 2);
  revokedTickets(eventId, 20_000);
  const staff = await bearer(request, 'organiser');
  await request.post(`/api/staff/reservations/${order}/refund/`, { headers: staff, data: { seat_ids: [tickets[1].seat.id], refunded: '0.00', reason: 'e2e' } });

  const door = await login('organiser');
  await door.goto(`/door/${eventId}`);
  await expect(door.getByTestId('door-status')).toContainText('20001 revoked');
  await door.context().setOffline(true);
  const typed = door.getByTestId('door-code');
  const took: string[] = [];
  for (const [ticket, verdict] of [
    [tickets[0], 'OK'],
    [tickets[1], 'REVOKED'],
  ] as const) {
    await typed.fill(ticket.code);
    await typed.press('Enter');
    await expect(door.getByTestId('door-answer')).toContainText(verdict);
    took.push((await door.getByTestId('door-offline').textContent()) ?? '');
  }
  // The camera turned on with no network: its code and decoder came while there was one.
  await door.getByRole('button', { name: 'Start camera' }).click();
  await expect(door.locator('video.door-camera, .notice--error')).toBeVisible();
  await expect(door.getByRole('heading', { name: /^Door: / })).toBeVisible();
  // The figure of issue 59's target (BENCHMARKS.md): reported, not asserted.
  console.log(`offline checks with 20,000 revoked: ${took.join('; ')}`);
});
