// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FeedStatus } from '../model/seatFeed';
import { ConnectionStatus } from './ConnectionStatus';

const status = (patch: Partial<FeedStatus>): FeedStatus => ({ connection: 'live', closeCode: null, watchers: null, resyncs: 0, resumes: 0, ...patch });

describe('ConnectionStatus', () => {
  afterEach(cleanup);

  it('says only "Live" while live', () => {
    render(<ConnectionStatus status={status({})} onRetry={vi.fn()} />);
    expect(screen.getByRole('status', { name: 'Connection: Live' })).toHaveProperty('textContent', 'Live');
  });

  it('is live in a waiting room too: the socket is up and brings its news', () => {
    render(<ConnectionStatus status={status({ connection: 'waiting' })} onRetry={vi.fn()} />);
    const region = screen.getByRole('status', { name: 'Connection: Live' });
    expect(region.className).toContain('connection--waiting');
  });

  it('says why it is reconnecting, in the status region', () => {
    render(<ConnectionStatus status={status({ connection: 'reconnecting', closeCode: 4429 })} onRetry={vi.fn()} />);
    const region = screen.getByRole('status', {
      name: 'Connection: Reconnecting… — Too many connections or messages from this network. Trying again shortly.',
    });
    expect(region.textContent).toContain('Too many connections or messages from this network.');
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('adds nothing to an ordinary drop', () => {
    render(<ConnectionStatus status={status({ connection: 'reconnecting', closeCode: 1006 })} onRetry={vi.fn()} />);
    expect(screen.getByRole('status', { name: 'Connection: Reconnecting…' })).toBeTruthy();
  });

  it('says the event is not found, and offers no pointless retry', () => {
    render(<ConnectionStatus status={status({ connection: 'gone', closeCode: 4404 })} onRetry={vi.fn()} />);
    expect(screen.getByRole('status', { name: 'Connection: Disconnected — Event not found: it may have been removed.' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('offers to reconnect when the socket was closed otherwise', () => {
    render(<ConnectionStatus status={status({ connection: 'gone' })} onRetry={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeTruthy();
  });
});
