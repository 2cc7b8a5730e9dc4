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
      onStateChange: (s) => states.push(s),
      ...extra,
    });
    return { socket, states, frames, opens };
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
