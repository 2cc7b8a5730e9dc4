import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, memoryAccessToken, nextPagePath, storedSessionHint, websocketUrl, type SessionHint } from './api-client';

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

describe('ApiClient: bearer access token in memory, refresh token in a cookie', () => {
  it('logs in through the cookie endpoint with credentials, keeping only the access token', async () => {
    const access = memoryAccessToken();
    const { fetchImpl, calls } = fakeFetch(() => json(200, { access: 'A1' }));
    const client = new ApiClient({ baseUrl: '', fetchImpl, access });
    await client.login({ username: 'alice', password: 'pw' });
    expect(calls[0].url).toBe('/api/token/cookie/');
    expect(calls[0].init.credentials).toBe('include');
    expect(access.get()).toBe('A1');
  });

  it('sends every other call with the bearer token, no cookies and no CSRF header', async () => {
    const access = memoryAccessToken();
    access.set('A1');
    const { fetchImpl, calls } = fakeFetch(() => json(200, {}));
    const client = new ApiClient({ baseUrl: 'http://api.test:8000/', fetchImpl, access });
    await client.post('/api/events/1/seats/5/lock/');
    await client.post('/api/events/1/reserve/', { seat_ids: [1] }, { headers: { 'Idempotency-Key': 'k' } });
    expect(calls[1].url).toBe('http://api.test:8000/api/events/1/reserve/');
    for (const call of calls) {
      expect(header(call, 'Authorization')).toBe('Bearer A1');
      expect(header(call, 'X-CSRFToken')).toBeUndefined();
      expect(call.init.credentials).toBe('omit');
    }
    expect(header(calls[1], 'Idempotency-Key')).toBe('k');
  });

  it('refreshes the access token once through the cookie on 401 not_authenticated and retries', async () => {
    const access = memoryAccessToken();
    access.set('old');
    const { fetchImpl, calls } = fakeFetch(({ url, init }) => {
      if (url.endsWith('/api/token/cookie/refresh/')) return json(200, { access: 'new' });
      const auth = header({ url, init }, 'Authorization');
      return auth === 'Bearer new' ? json(200, { id: 1, username: 'alice' }) : json(401, { error: 'x', code: 'not_authenticated' });
    });
    const client = new ApiClient({ baseUrl: 'http://api.test', fetchImpl, access });
    const [a, b] = await Promise.all([client.get('/api/me/'), client.get('/api/reservations/')]);
    expect(a).toEqual({ id: 1, username: 'alice' });
    expect(b).toEqual({ id: 1, username: 'alice' });
    const refreshes = calls.filter((c) => c.url.endsWith('/refresh/'));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].init.credentials).toBe('include');
    expect(header(refreshes[0], 'Authorization')).toBeUndefined();
    expect(access.get()).toBe('new');
  });

  it('resumes a session after a reload from the cookie alone', async () => {
    const { fetchImpl, calls } = fakeFetch(({ url }) =>
      url.endsWith('/api/token/cookie/refresh/') ? json(200, { access: 'A2' }) : json(200, {}),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl });
    await expect(client.resume()).resolves.toBe(true);
    await client.get('/api/me/');
    expect(header(calls[1], 'Authorization')).toBe('Bearer A2');
  });

  it("holds a reloaded page's first call until the cookie has given back the access token", async () => {
    const { fetchImpl, calls } = fakeFetch(({ url }) =>
      url.endsWith('/api/token/cookie/refresh/') ? json(200, { access: 'A3' }) : json(200, { seats: [] }),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl });
    await Promise.all([client.get('/api/events/1/seats/'), client.get('/api/me/')]);
    expect(calls.map((c) => c.url)).toEqual(['/api/token/cookie/refresh/', '/api/events/1/seats/', '/api/me/']);
    expect(header(calls[1], 'Authorization')).toBe('Bearer A3');
  });

  it('forgets the access token when the refresh is refused, and public pages still load', async () => {
    const access = memoryAccessToken();
    access.set('old');
    const { fetchImpl } = fakeFetch(({ url, init }) => {
      if (url.endsWith('/api/token/cookie/refresh/')) return json(401, { error: 'x', code: 'not_authenticated' });
      if (header({ url, init }, 'Authorization')) return json(401, { error: 'x', code: 'not_authenticated' });
      return url.endsWith('/api/events/') ? json(200, []) : json(401, { error: 'x', code: 'not_authenticated' });
    });
    const client = new ApiClient({ baseUrl: 'http://api.test', fetchImpl, access });
    await expect(client.get('/api/events/')).resolves.toEqual([]);
    expect(access.get()).toBeNull();
    await expect(client.get('/api/me/')).rejects.toMatchObject({ status: 401, code: 'not_authenticated' });
    await expect(client.resume()).resolves.toBe(false);
  });

  it('logs out with the cookie so the server revokes it, and forgets the access token', async () => {
    const access = memoryAccessToken();
    access.set('A1');
    const { fetchImpl, calls } = fakeFetch(() => json(200, { success: true }));
    const client = new ApiClient({ baseUrl: '', fetchImpl, access });
    await client.logout();
    expect(calls[0].url).toBe('/api/logout/');
    expect(calls[0].init.credentials).toBe('include');
    expect(header(calls[0], 'Authorization')).toBe('Bearer A1');
    expect(access.get()).toBeNull();
  });
});

describe('the session hint: no refresh probe for a visitor who never logged in', () => {
  const hint = (initial: boolean): SessionHint & { value: boolean } => {
    const h = { value: initial, get: () => h.value, set: (maybe: boolean) => void (h.value = maybe) };
    return h;
  };

  it('without the hint, asks no cookie: a public page loads with no 401 anywhere', async () => {
    const { fetchImpl, calls } = fakeFetch(({ url }) => (url.endsWith('/api/events/1/seats/') ? json(200, { seats: [] }) : json(401, { error: 'x', code: 'not_authenticated' })));
    const client = new ApiClient({ baseUrl: '', fetchImpl, session: hint(false) });
    await expect(client.resume()).resolves.toBe(false);
    await expect(client.get('/api/events/1/seats/')).resolves.toEqual({ seats: [] });
    await expect(client.get('/api/me/')).rejects.toMatchObject({ status: 401 });
    expect(calls.map((c) => c.url)).toEqual(['/api/events/1/seats/', '/api/me/']);
  });

  it('is set at login and by a refresh that works, cleared by a refused refresh and at logout', async () => {
    const session = hint(false);
    let refreshWorks = true;
    const { fetchImpl } = fakeFetch(({ url }) => {
      if (url.endsWith('/api/token/cookie/')) return json(200, { access: 'A1' });
      if (url.endsWith('/refresh/')) return refreshWorks ? json(200, { access: 'A2' }) : json(401, { error: 'x', code: 'not_authenticated' });
      return json(200, { success: true });
    });
    const client = new ApiClient({ baseUrl: '', fetchImpl, session });
    await client.login({ username: 'alice', password: 'pw' });
    expect(session.value).toBe(true);
    await client.logout();
    expect(session.value).toBe(false);

    session.value = true; // a reload after a login, in another page
    const reloaded = new ApiClient({ baseUrl: '', fetchImpl, session });
    await expect(reloaded.resume()).resolves.toBe(true);
    expect(session.value).toBe(true);
    refreshWorks = false;
    const expired = new ApiClient({ baseUrl: '', fetchImpl, session });
    await expect(expired.resume()).resolves.toBe(false);
    expect(session.value).toBe(false);
  });

  it('lives in storage as a flag, never the token; without storage it says "maybe"', () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
    const stored = storedSessionHint('k', () => storage);
    expect(stored.get()).toBe(false);
    stored.set(true);
    expect([...data.entries()]).toEqual([['k', '1']]);
    stored.set(false);
    expect(data.size).toBe(0);
    expect(storedSessionHint('k', () => undefined).get()).toBe(true);
    const broken = storedSessionHint('k', () => {
      throw new Error('denied');
    });
    expect(broken.get()).toBe(true);
    expect(() => broken.set(true)).not.toThrow();
  });
});

describe('logout after a reload', () => {
  it('first asks the cookie for an access token, so the server knows which login to revoke', async () => {
    const access = memoryAccessToken();
    const { fetchImpl, calls } = fakeFetch(({ url }) =>
      url.endsWith('/api/token/cookie/refresh/') ? json(200, { access: 'A9' }) : json(200, { success: true }),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl, access });
    await client.logout();
    expect(calls.map((c) => c.url)).toEqual(['/api/token/cookie/refresh/', '/api/logout/']);
    expect(header(calls[1], 'Authorization')).toBe('Bearer A9');
    expect(access.get()).toBeNull();
  });
});

describe('errors', () => {
  it('carries the code, the sentence and the extra keys', async () => {
    const { fetchImpl } = fakeFetch(() =>
      json(409, { error: 'Hold expired', code: 'lock_required', seats: [5, 7] }),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl });
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
    expect(seen.at(-1)).toBe(Date.parse('2026-12-22T10:00:00Z'));
  });
});

describe('files', () => {
  it('reads a file as text with the bearer token, and a refusal as the API error', async () => {
    const access = memoryAccessToken();
    access.set('A1');
    const ics = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
    const { fetchImpl, calls } = fakeFetch((call) =>
      call.url.includes('/7/') ? new Response(ics, { headers: { 'Content-Type': 'text/calendar' } }) : json(404, { error: 'No such reservation.', code: 'not_found' }),
    );
    const client = new ApiClient({ baseUrl: '', fetchImpl, access });
    await expect(client.getText('/api/reservations/7/calendar.ics')).resolves.toBe(ics);
    expect(header(calls[0], 'Authorization')).toBe('Bearer A1');
    expect(header(calls[0], 'Accept')).toBe('*/*');
    await expect(client.getText('/api/reservations/8/calendar.ics')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('pages', () => {
  it('reads a page with the path of the next one from the Link header and the total', async () => {
    const access = memoryAccessToken();
    access.set('A');
    const { fetchImpl } = fakeFetch(() =>
      json(200, [{ id: 1 }, { id: 2 }], {
        Link: '<http://api.test/api/events/?page=3&page_size=2>; rel="next", <http://api.test/api/events/?page_size=2>; rel="prev"',
        'X-Total-Count': '5',
      }),
    );
    const client = new ApiClient({ baseUrl: 'http://api.test', fetchImpl, access });
    await expect(client.getPage('/api/events/?page=2&page_size=2')).resolves.toEqual({
      items: [{ id: 1 }, { id: 2 }],
      next: '/api/events/?page=3&page_size=2',
      total: 5,
    });
  });

  it('knows the last page by its missing next link', () => {
    expect(nextPagePath('<http://x/api/events/?page=1>; rel="prev"')).toBeNull();
    expect(nextPagePath(null)).toBeNull();
  });
});

describe('helpers', () => {
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

const NO_SESSION: SessionHint = { get: () => false, set: () => {} };

describe('ApiClient: a door that asks for proof of work (API.md "Challenges")', () => {
  it('solves the challenge and sends the same request again with it, once', async () => {
    const { createChallenge, sha } = await import('altcha/lib');
    const challenge = await createChallenge({ algorithm: 'SHA-256', cost: 1, counter: 300, deriveKey: sha.deriveKey });
    const { fetchImpl, calls } = fakeFetch((call) => {
      const body = JSON.parse(String(call.init.body)) as { altcha?: string };
      if (!body.altcha) return json(403, { error: 'prove it', code: 'challenge_required', challenge });
      return json(200, { place: { entry_id: 'e1' } });
    });
    const client = new ApiClient({ baseUrl: '', fetchImpl, session: NO_SESSION });
    expect(await client.post('/api/events/1/queue/join/', {})).toEqual({ place: { entry_id: 'e1' } });
    expect(calls).toHaveLength(2);
    const sent = JSON.parse(atob((JSON.parse(String(calls[1].init.body)) as { altcha: string }).altcha)) as {
      challenge: unknown;
      solution: { counter: number; derivedKey: string };
    };
    expect(sent.challenge).toEqual(challenge);
    expect(sent.solution.counter).toBe(300);
    expect(sent.solution.derivedKey.startsWith(challenge.parameters.keyPrefix)).toBe(true);
  });

  it('gives up after one solved try: a second refusal is the caller\'s error', async () => {
    const { createChallenge, sha } = await import('altcha/lib');
    const challenge = await createChallenge({ algorithm: 'SHA-256', cost: 1, counter: 5, deriveKey: sha.deriveKey });
    const { fetchImpl, calls } = fakeFetch(() => json(403, { error: 'prove it', code: 'challenge_required', challenge }));
    const client = new ApiClient({ baseUrl: '', fetchImpl, session: NO_SESSION });
    await expect(client.post('/api/events/1/queue/join/', {})).rejects.toMatchObject({ code: 'challenge_required' });
    expect(calls).toHaveLength(2);
  });
});
