/**
 * The one door to the HTTP API (docs/API.md).
 *
 * One way to authenticate, for the same-origin build and for a build on another origin alike:
 * a short-lived access token kept in memory and sent as `Authorization: Bearer` (so every
 * booking call takes the server's fast path and needs no CSRF token), and a refresh token the
 * page never sees, in an HttpOnly cookie set by `POST /api/token/cookie/`. When a call answers
 * 401 `not_authenticated`, one `POST /api/token/cookie/refresh/` fetches a new access token (the
 * cookie rotates) and the call is sent again. A reload starts with no access token: the first
 * call that needs one asks the cookie, if a hint says there may be one (a visitor who never
 * logged in is not sent to the refresh route, to be refused with a 401 on every page).
 *
 * A door that asks for proof of work first (403 `challenge_required`) is answered by solving its
 * challenge (proofOfWork.ts) and sending the same request again, once.
 *
 * Every failure becomes an `ApiError` carrying the API's stable `code`.
 */
import { isChallenge, solvedChallenge } from './proofOfWork';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Seat ids the server named as being in the way (`lock_required`, bulk `seat_unavailable`). */
  get seatIds(): number[] {
    const seats = this.details.seats;
    return Array.isArray(seats) ? seats.filter((s): s is number => typeof s === 'number') : [];
  }
}

/** The request never got an answer (offline, DNS, CORS, server down). */
export const NETWORK_ERROR = 'network';

/** Where the access token lives: memory, never storage that outlives the page. */
export interface AccessTokenStore {
  get(): string | null;
  set(access: string | null): void;
}

export function memoryAccessToken(): AccessTokenStore {
  let access: string | null = null;
  return {
    get: () => access,
    set: (value) => {
      access = value;
    },
  };
}

/**
 * Whether this browser may hold a refresh cookie: a flag, not a secret (the cookie stays
 * HttpOnly), set at login and at a refresh that worked, cleared at logout and when a refresh
 * is refused. While it is off, the client does not ask the refresh route.
 */
export interface SessionHint {
  get(): boolean;
  set(maybe: boolean): void;
}

/** Always "maybe": the cookie is asked whenever an access token is missing. */
export const ALWAYS_ASK: SessionHint = { get: () => true, set: () => {} };

/** The hint kept in localStorage (shared by the tabs); where storage fails, always "maybe". */
export function storedSessionHint(key = 'seatmap.session', storage: () => Storage | undefined = () => globalThis.localStorage): SessionHint {
  return {
    get: () => {
      try {
        const store = storage();
        return store ? store.getItem(key) === '1' : true;
      } catch {
        return true;
      }
    },
    set: (maybe) => {
      try {
        if (maybe) storage()?.setItem(key, '1');
        else storage()?.removeItem(key);
      } catch {
        // private mode: the hint lasts for this page only (and reads "maybe")
      }
    },
  };
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Given the answer's headers when it succeeds. */
  onHeaders?: (headers: Headers) => void;
  /** The successful answer's body as text, not JSON. */
  text?: boolean;
  /** The successful answer's body as bytes (a file), not JSON. */
  blob?: boolean;
}

/** One page of a list (docs/API.md "Pages"): its items, and the path of the next page. */
export interface Page<T> {
  items: T[];
  next: string | null;
  total: number | null;
}

/** The path (and query) of the `rel="next"` target of a `Link` header, or null. */
export function nextPagePath(link: string | null): string | null {
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) {
      // The server writes absolute URLs; the client keeps to its own API base.
      const url = new URL(match[1], 'http://base.invalid');
      return url.pathname + url.search;
    }
  }
  return null;
}

export interface ApiClientConfig {
  /** Absolute API origin for a cross-origin build, '' for same origin. */
  baseUrl: string;
  fetchImpl?: typeof fetch;
  access?: AccessTokenStore;
  /** Called whenever a response carries a `Date` header (server clock estimate). */
  onServerDate?: (serverMs: number, receivedAtMs: number) => void;
  /** Whether a refresh cookie may exist; by default the cookie is always asked. */
  session?: SessionHint;
}

/** The calls that need the refresh cookie: the only ones sent with credentials. */
const LOGIN = '/api/token/cookie/';
const REFRESH = '/api/token/cookie/refresh/';
const LOGOUT = '/api/logout/';
const WITH_COOKIE = new Set([LOGIN, REFRESH, LOGOUT]);

export function normaliseBaseUrl(raw: string | undefined | null): string {
  const value = (raw ?? '').trim();
  return value.replace(/\/+$/, '');
}

/** `ws://` or `wss://` URL for a socket path, next to the API. */
export function websocketUrl(baseUrl: string, path: string, location?: { protocol: string; host: string }): string {
  if (baseUrl) return baseUrl.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`) + path;
  const loc = location ?? globalThis.location;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${path}`;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly access: AccessTokenStore;
  private readonly onServerDate?: (serverMs: number, receivedAtMs: number) => void;
  private readonly session: SessionHint;
  private refreshing: Promise<boolean> | null = null;
  private resumed: Promise<boolean> | null = null;

  constructor(config: ApiClientConfig) {
    this.baseUrl = normaliseBaseUrl(config.baseUrl);
    this.fetchImpl = config.fetchImpl ?? ((...args) => globalThis.fetch(...args));
    this.access = config.access ?? memoryAccessToken();
    this.onServerDate = config.onServerDate;
    this.session = config.session ?? ALWAYS_ASK;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  async getPage<T>(path: string, options: RequestOptions = {}): Promise<Page<T>> {
    let headers: Headers | null = null;
    const items = await this.request<T[]>('GET', path, { ...options, onHeaders: (h) => (headers = h) });
    const h = headers as Headers | null;
    const total = h?.get('X-Total-Count');
    return { items, next: nextPagePath(h?.get('Link') ?? null), total: total ? Number(total) : null };
  }

  /** A file the API sends as text (a booking's calendar file): its body as it came; a refusal
   * is still the API's JSON error, an `ApiError`. */
  getText(path: string, options: RequestOptions = {}): Promise<string> {
    return this.request<string>('GET', path, { ...options, text: true, headers: { Accept: '*/*', ...options.headers } });
  }

  /** A file the API sends as bytes (an export); a refusal is still an `ApiError`. */
  getBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
    return this.request<Blob>('GET', path, { ...options, blob: true, headers: { Accept: '*/*', ...options.headers } });
  }

  post<T>(path: string, body: unknown = {}, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** Logs in: the access token is kept here, the refresh token in the server's cookie. */
  async login(credentials: { username: string; password: string }): Promise<void> {
    const { access } = await this.send<{ access: string }>('POST', LOGIN, { body: credentials, anonymous: true });
    this.access.set(access);
    this.session.set(true);
  }

  /** Whether there is a session: an access token, or (asked once per page, when the hint says
   * there may be one) a refresh cookie that works. */
  resume(): Promise<boolean> {
    if (this.access.get()) return Promise.resolve(true);
    if (!this.session.get()) return Promise.resolve(false);
    this.resumed ??= this.refreshAccess();
    return this.resumed;
  }

  /** Logs out: the server revokes this login's refresh tokens, found by the access token (the
   * refresh cookie goes only to the refresh route, so after a reload the cookie first buys one);
   * the access token is forgotten. */
  async logout(): Promise<void> {
    try {
      await this.resume().catch(() => false);
      await this.request('POST', LOGOUT, { body: {} });
    } finally {
      this.access.set(null);
      this.session.set(false);
      this.resumed = Promise.resolve(false);
    }
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // After a reload the first calls wait for the cookie to give back the access token, so a
    // logged-in buyer's first seat list already says which holds are theirs.
    if (!isTokenPath(path)) await this.resume().catch(() => false);
    try {
      return await this.send<T>(method, path, options);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401 && error.code === 'not_authenticated' && !isTokenPath(path)) {
        const hadToken = Boolean(this.access.get());
        if ((hadToken || this.session.get()) && (await this.refreshAccess())) return this.send<T>(method, path, options);
        // No session any more: public endpoints still answer an anonymous caller.
        if (hadToken) return this.send<T>(method, path, options);
      }
      throw error;
    }
  }

  /** The access token for the live socket's `auth` frame (PROTOCOL.md "Your own seats"): the
   * current one, or with `fresh` a new one (the socket said the last was not good); null when
   * nobody is logged in. */
  async socketToken(fresh = false): Promise<string | null> {
    const loggedIn = fresh ? await this.refreshAccess().catch(() => false) : await this.resume().catch(() => false);
    return loggedIn ? this.access.get() : null;
  }

  /** One refresh at a time, however many calls met a 401 together. */
  private refreshAccess(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    try {
      const { access } = await this.send<{ access: string }>('POST', REFRESH, { body: {}, anonymous: true });
      this.access.set(access);
      this.session.set(true);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === NETWORK_ERROR) throw error;
      this.access.set(null);
      this.session.set(false);
      return false;
    }
  }

  private async send<T>(method: string, path: string, options: RequestOptions & { anonymous?: boolean }): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const access = this.access.get();
    if (access && !options.anonymous) headers.Authorization = `Bearer ${access}`;

    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // Only the refresh cookie's own calls carry cookies: the rest are bearer calls, so a
        // session cookie the browser may also hold (the admin's) never asks for CSRF.
        credentials: WITH_COOKIE.has(path) ? 'include' : 'omit',
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiError(0, NETWORK_ERROR, 'The server could not be reached.');
    }

    const date = response.headers.get('Date');
    if (date && this.onServerDate) {
      const serverMs = Date.parse(date);
      if (!Number.isNaN(serverMs)) this.onServerDate(serverMs, Date.now());
    }

    const payload = !response.ok
      ? await parseJson(response)
      : options.blob
        ? await response.blob()
        : options.text
          ? await response.text()
          : await parseJson(response);
    if (response.ok) {
      options.onHeaders?.(response.headers);
      return payload as T;
    }
    const error = toApiError(response, payload);
    // A door that asks for proof of work (API.md "Challenges"): solved once, the same request again.
    const body = options.body;
    if (error.code === 'challenge_required' && isChallenge(error.details.challenge) && isObject(body) && !('altcha' in body)) {
      const altcha = await solvedChallenge(error.details.challenge);
      if (altcha) return this.send<T>(method, path, { ...options, body: { ...body, altcha } });
    }
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTokenPath(path: string): boolean {
  return path.startsWith('/api/token/') || path === LOGOUT;
}

async function parseJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const FALLBACK_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'not_authenticated',
  403: 'csrf_failed',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'seat_unavailable',
  413: 'too_large',
  422: 'idempotency_mismatch',
  429: 'throttled',
  503: 'unavailable',
};

export function toApiError(response: Response, payload: unknown): ApiError {
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader) : null;
  if (payload && typeof payload === 'object' && 'code' in payload) {
    const { error, code, ...details } = payload as { error?: unknown; code: unknown };
    return new ApiError(response.status, String(code), typeof error === 'string' ? error : response.statusText, details, retryAfter);
  }
  const code = FALLBACK_CODES[response.status] ?? 'server_error';
  return new ApiError(response.status, code, response.statusText || 'Unexpected response', {}, retryAfter);
}
