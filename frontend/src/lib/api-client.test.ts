import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, memoryTokens, readCookie, websocketUrl } from './api-client';

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function fakeFetch(responder: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string | URL | Request, init: RequestInit = {}) => {
    const call = { url: String(url), init };
    calls.push(call);
    return responder(call);
  });
  return { fetchImpl: fn as unknown as typeof fetch, calls };
}

const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

describe('ApiClient, same origin (session + CSRF)', () => {
  it('sends JSON with the CSRF cookie on unsafe methods, not on GET', async () => {
    const { fetchImpl, calls } = fakeFetch(() => json(200, { ok: true }));
    const client = new ApiClient({ baseUrl: '', fetchImpl, readCookies: () => 'sessionid=x; csrftoken=abc%3D' });
    expect(client.mode).toBe('session');
    await client.get('/api/events/');
    await client.post('/api/events/1/seats/5/lock/');
    expect(calls[0].url).toBe('/api/events/');
    expect(header(calls[0], 'X-CSRFToken')).toBeUndefined();
    expect(calls[0].init.credentials).toBe('same-origin');
    expect(header(calls[1], 'X-CSRFToken')).toBe('abc=');
    expect(header(calls[1], 'Content-Type')).toBe('application/json');
    expect(calls[1].init.body).toBe('{}');
  });

  it('fetches the CSRF cookie first when there is none', async () => {
    let cookie = '';
    const { fetchImpl, calls } = fakeFetch(({ url }) => {
      if (url === '/api/csrf/') {
        cookie = 'csrftoken=fresh';
        return json(200, { csrfToken: 'fresh' });
      }
      return json(200, { success: true });
    });
    const client = new ApiClient({ baseUrl: '', fetchImpl, readCookies: () => cookie });
    await client.post('/api/login/', { username: 'a', password: 'b' });
    expect(calls.map((c) => c.url)).toEqual(['/api/csrf/', '/api/login/']);
    expect(header(calls[1], 'X-CSRFToken')).toBe('fresh');
  });

  it('retries once with a fresh token on csrf_failed', async () => {
    let n = 0;
    const { fetchImpl, calls } = fakeFetch(({ url }) => {
      if (url === '/api/csrf/') return json(200, { csrfToken: 't2' });
      n += 1;
      return n === 1 ? json(403, { error: 'CSRF', code: 'csrf_failed' }) : json(200, { success: true });
    });
    const client = new ApiClient({ baseUrl: '', fetchImpl, readCookies: () => 'csrftoken=t1' });
    await expect(client.post('/api/logout/')).resolves.toEqual({ success: true });
    expect(calls.map((c) => c.url)).toEqual(['/api/logout/', '/api/csrf/', '/api/logout/']);
  });
});

describe('ApiClient, another origin (bearer tokens)', () => {
  it('sends the access token and no cookies', async () => {
    const tokens = memoryTokens();
    tokens.set({ access: 'A1', refresh: 'R1' });
    const { fetchImpl, calls } = fakeFetch(() => json(200, {}));
    const client = new ApiClient({ baseUrl: 'http://api.test:8000/', fetchImpl, tokens });
    expect(client.mode).toBe('token');
    await client.post('/api/events/1/reserve/', { seat_ids: [1] }, { headers: { 'Idempotency-Key': 'k' } });
    expect(calls[0].url).toBe('http://api.test:8000/api/events/1/reserve/');
    expect(header(calls[0], 'Authorization')).toBe('Bearer A1');
    expect(header(calls[0], 'Idempotency-Key')).toBe('k');
    expect(header(calls[0], 'X-CSRFToken')).toBeUndefined();
    expect(calls[0].init.credentials).toBe('omit');
  });

  it('refreshes the access token once on 401 not_authenticated and retries', async () => {
    const tokens = memoryTokens();
    tokens.set({ access: 'old', refresh: 'R1' });
    const { fetchImpl, calls } = fakeFetch(({ url, init }) => {
      if (url.endsWith('/api/token/refresh/')) return json(200, { access: 'new' });
      const auth = header({ url, init }, 'Authorization');
      return auth === 'Bearer new' ? json(200, { id: 1, username: 'alice' }) : json(401, { error: 'x', code: 'not_authenticated' });
    });
    const client = new ApiClient({ baseUrl: 'http://api.test', fetchImpl, tokens });
    const [a, b] = await Promise.all([client.get('/api/me/'), client.get('/api/reservations/')]);
    expect(a).toEqual({ id: 1, username: 'alice' });
    expect(b).toEqual({ id: 1, username: 'alice' });
    expect(calls.filter((c) => c.url.endsWith('/refresh/'))).toHaveLength(1);
    const refreshCall = calls.find((c) => c.url.endsWith('/refresh/'))!;
    expect(JSON.parse(String(refreshCall.init.body))).toEqual({ refresh: 'R1' });
    expect(header(refreshCall, 'Authorization')).toBeUndefined();
    expect(tokens.get().access).toBe('new');
  });

  it('forgets the tokens when the refresh is refused, and public pages still load', async () => {
    const tokens = memoryTokens();
    tokens.set({ access: 'old', refresh: 'bad' });
    const { fetchImpl } = fakeFetch(({ url, init }) => {
      if (url.endsWith('/api/token/refresh/')) return json(401, { error: 'x', code: 'not_authenticated' });
      if (header({ url, init }, 'Authorization')) return json(401, { error: 'x', code: 'not_authenticated' });
      return url.endsWith('/api/events/') ? json(200, []) : json(401, { error: 'x', code: 'not_authenticated' });
    });
    const client = new ApiClient({ baseUrl: 'http://api.test', fetchImpl, tokens });
    await expect(client.get('/api/events/')).resolves.toEqual([]);
    expect(tokens.get()).toEqual({ access: null, refresh: null });
    await expect(client.get('/api/me/')).rejects.toMatchObject({ status: 401, code: 'not_authenticated' });
  });
});

describe('errors', () => {
  it('carries the code, the sentence and the extra keys', async () => {
    const { fetchImpl } = fakeFetch(() =>
      json(409, { error: 'Hold expired', code: 'lock_required', seats: [5, 7] }),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl, readCookies: () => 'csrftoken=t' });
    const error = await client.post('/api/events/1/reserve/', { seat_ids: [5, 7] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'lock_required', message: 'Hold expired' });
    expect((error as ApiError).seatIds).toEqual([5, 7]);
  });

  it('reads Retry-After on 429', async () => {
    const { fetchImpl } = fakeFetch(() => json(429, { error: 'slow down', code: 'throttled' }, { 'Retry-After': '7' }));
    const client = new ApiClient({ baseUrl: '', fetchImpl });
    await expect(client.get('/api/events/')).rejects.toMatchObject({ code: 'throttled', retryAfterSeconds: 7 });
  });

  it('turns a non-JSON answer into a code by status, and a failed fetch into network', async () => {
    const html = fakeFetch(() => new Response('<h1>Bad Gateway</h1>', { status: 502 }));
    await expect(new ApiClient({ baseUrl: '', fetchImpl: html.fetchImpl }).get('/api/events/')).rejects.toMatchObject({
      status: 502,
      code: 'server_error',
    });
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(new ApiClient({ baseUrl: '', fetchImpl: down.fetchImpl }).get('/api/events/')).rejects.toMatchObject({
      status: 0,
      code: 'network',
    });
  });

  it('reports the server clock from the Date header', async () => {
    const seen: number[] = [];
    const { fetchImpl } = fakeFetch(() => json(200, {}, { Date: 'Tue, 22 Dec 2026 10:00:00 GMT' }));
    await new ApiClient({ baseUrl: '', fetchImpl, onServerDate: (ms) => seen.push(ms) }).get('/api/events/');
    expect(seen).toEqual([Date.parse('2026-12-22T10:00:00Z')]);
  });
});

describe('helpers', () => {
  it('reads a cookie by name', () => {
    expect(readCookie('a=1; csrftoken=xyz; b=2', 'csrftoken')).toBe('xyz');
    expect(readCookie('a=1', 'csrftoken')).toBeNull();
  });

  it('derives the socket URL from the API URL or the page', () => {
    expect(websocketUrl('http://127.0.0.1:8000', '/ws/events/1/')).toBe('ws://127.0.0.1:8000/ws/events/1/');
    expect(websocketUrl('https://api.example', '/ws/events/1/')).toBe('wss://api.example/ws/events/1/');
    expect(websocketUrl('', '/ws/events/1/', { protocol: 'https:', host: 'seats.example' })).toBe(
      'wss://seats.example/ws/events/1/',
    );
    expect(websocketUrl('', '/ws/events/1/', { protocol: 'http:', host: '127.0.0.1:8000' })).toBe(
      'ws://127.0.0.1:8000/ws/events/1/',
    );
  });
});
