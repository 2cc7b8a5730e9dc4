import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { openLiveSocket, type ConnectionState } from './ws-client';

const latest = () => FakeWebSocket.all[FakeWebSocket.all.length - 1];

async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('openLiveSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  function open(extra: Record<string, unknown> = {}) {
    const states: ConnectionState[] = [];
    const codes: (number | undefined)[] = [];
    const frames: unknown[] = [];
    const opens: boolean[] = [];
    const socket = openLiveSocket({
      url: 'ws://test/ws/events/1/',
      WebSocket: FakeWebSocket,
      minDelayMs: 1_000,
      maxDelayMs: 8_000,
      growFactor: 2,
      heartbeatMs: 20_000,
      pongTimeoutMs: 5_000,
      onMessage: (f) => frames.push(f),
      onOpen: ({ reconnect }) => opens.push(reconnect),
      onStateChange: (s, detail) => {
        states.push(s);
        codes.push(detail?.code);
      },
      random: () => 0,
      ...extra,
    });
    return { socket, states, codes, frames, opens };
  }

  it('connects, passes parsed JSON objects on and skips garbage', async () => {
    const t = open();
    await settle();
    expect(FakeWebSocket.all).toHaveLength(1);
    latest().serverOpen();
    expect(t.states).toEqual(['open']);
    expect(t.opens).toEqual([false]);
    latest().serverSend({ type: 'presence', watchers: 3 });
    latest().serverSend('not json');
    latest().serverSend('[1,2]');
    expect(t.frames).toEqual([{ type: 'presence', watchers: 3 }]);
    t.socket.close();
  });

  it('reconnects after a drop with growing delays, and says it was a reconnect', async () => {
    const t = open();
    await settle();
    latest().serverOpen();
    latest().serverDrop();
    expect(t.states.at(-1)).toBe('reconnecting');
    await settle(999);
    expect(FakeWebSocket.all).toHaveLength(1);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    latest().serverDrop(); // fails again before opening
    await settle(1_999);
    expect(FakeWebSocket.all).toHaveLength(2);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(3);
    latest().serverOpen();
    expect(t.opens).toEqual([false, true]);
    expect(t.states.at(-1)).toBe('open');
    t.socket.close();
  });

  it('gives up on a final close code (unknown event)', async () => {
    const t = open();
    await settle();
    latest().serverOpen();
    latest().serverDrop(4404);
    await settle(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(t.states.at(-1)).toBe('closed');
    expect(t.codes.at(-1)).toBe(4404);
  });

  it.each([4408, 4503, 1009, 1011])('reconnects after close code %i with the usual delay, and says why', async (code) => {
    const t = open();
    await settle();
    latest().serverOpen();
    latest().serverDrop(code);
    expect(t.states.at(-1)).toBe('reconnecting');
    expect(t.codes.at(-1)).toBe(code);
    await settle(999);
    expect(FakeWebSocket.all).toHaveLength(1);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    latest().serverOpen();
    expect(t.opens).toEqual([false, true]);
    expect(t.states.at(-1)).toBe('open');
    expect(t.codes.at(-1)).toBeUndefined();
    t.socket.close();
  });

  it('waits at least 10 s after 4429 (too many), jittered, then the usual delays again', async () => {
    const t = open({ random: () => 0 });
    await settle();
    latest().serverOpen();
    latest().serverDrop(4429);
    expect(t.states.at(-1)).toBe('reconnecting');
    expect(t.codes.at(-1)).toBe(4429);
    await settle(9_999);
    expect(FakeWebSocket.all).toHaveLength(1);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    // Accepted, then refused again at once (the per-address cap): the next pause grows (x2 here).
    latest().serverOpen();
    latest().serverDrop(4429);
    await settle(19_999);
    expect(FakeWebSocket.all).toHaveLength(2);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(3);
    latest().serverOpen();
    await settle(5_000); // up long enough to count as a stable connection
    latest().serverDrop(1006);
    expect(t.codes.at(-1)).toBe(1006);
    await settle(1_000);
    expect(FakeWebSocket.all).toHaveLength(4);
    t.socket.close();
  });

  it('draws the pause after 4429 afresh each time: 10 s plus up to half again', async () => {
    const draws = [0.5, 1];
    const t = open({ random: () => draws.shift() ?? 0 });
    await settle();
    latest().serverOpen();
    await settle(5_000);
    latest().serverDrop(4429);
    await settle(12_499);
    expect(FakeWebSocket.all).toHaveLength(1);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    latest().serverOpen();
    await settle(5_000);
    latest().serverDrop(4429);
    await settle(14_999);
    expect(FakeWebSocket.all).toHaveLength(2);
    await settle(1);
    expect(FakeWebSocket.all).toHaveLength(3);
    t.socket.close();
  });

  it('tells a change of reason while still reconnecting', async () => {
    const t = open();
    await settle();
    latest().serverOpen();
    latest().serverDrop(4503);
    await settle(1_000);
    latest().serverDrop(1006); // the next try fails before opening
    expect(t.states.slice(-2)).toEqual(['reconnecting', 'reconnecting']);
    expect(t.codes.slice(-2)).toEqual([4503, 1006]);
    t.socket.close();
  });

  it('pings, and reconnects when no answer comes back', async () => {
    const t = open();
    await settle();
    const first = latest();
    first.serverOpen();
    await settle(20_000);
    expect(first.sent).toEqual([JSON.stringify({ type: 'ping' })]);
    first.serverSend({ type: 'pong' });
    await settle(20_000);
    expect(first.sent).toHaveLength(2);
    await settle(5_000); // no pong this time
    expect(t.states).toContain('reconnecting');
    await settle(1_000);
    expect(FakeWebSocket.all.length).toBeGreaterThan(1);
    t.socket.close();
  });

  it('does not queue frames while disconnected', async () => {
    const t = open();
    await settle();
    expect(t.socket.send({ type: 'snapshot' })).toBe(false);
    latest().serverOpen();
    expect(latest().sent).toEqual([]);
    expect(t.socket.send({ type: 'snapshot' })).toBe(true);
    expect(latest().sent).toEqual([JSON.stringify({ type: 'snapshot' })]);
    t.socket.close();
  });
});
