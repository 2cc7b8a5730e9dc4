/**
 * The one door to the HTTP API (API.md).
 *
 * Two ways to authenticate, picked once at build time:
 * - same origin (VITE_API_URL unset): Django's session cookie, plus the `X-CSRFToken` header
 *   carrying the `csrftoken` cookie on unsafe methods (`GET /api/csrf/` sets it);
 * - another origin (VITE_API_URL=http://api.example): bearer tokens from `POST /api/token/`,
 *   kept in localStorage, refreshed once through `POST /api/token/refresh/` when a request
 *   answers 401 `not_authenticated`.
 *
 * Every failure becomes an `ApiError` carrying the API's stable `code`.
 */

export type AuthMode = 'session' | 'token';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Seat ids the server named as being in the way (`lock_required`, bulk `seat_unavailable`). */
  get seatIds(): number[] {
    const seats = this.details.seats;
    return Array.isArray(seats) ? seats.filter((s): s is number => typeof s === 'number') : [];
  }
}

/** The request never got an answer (offline, DNS, CORS, server down). */
export const NETWORK_ERROR = 'network';

export interface TokenStore {
  get(): { access: string | null; refresh: string | null };
  set(tokens: { access?: string; refresh?: string }): void;
  clear(): void;
}

export function localStorageTokens(storage: Storage | undefined, prefix = 'seatmap'): TokenStore {
  const accessKey = `${prefix}.access`;
  const refreshKey = `${prefix}.refresh`;
  return {
    get: () => ({
      access: storage?.getItem(accessKey) ?? null,
      refresh: storage?.getItem(refreshKey) ?? null,
    }),
    set: ({ access, refresh }) => {
      if (access !== undefined) storage?.setItem(accessKey, access);
      if (refresh !== undefined) storage?.setItem(refreshKey, refresh);
    },
    clear: () => {
      storage?.removeItem(accessKey);
      storage?.removeItem(refreshKey);
    },
  };
}

export function memoryTokens(): TokenStore {
  let access: string | null = null;
  let refresh: string | null = null;
  return {
    get: () => ({ access, refresh }),
    set: (t) => {
      if (t.access !== undefined) access = t.access;
      if (t.refresh !== undefined) refresh = t.refresh;
    },
    clear: () => {
      access = null;
      refresh = null;
    },
  };
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClientConfig {
  /** Absolute API origin for a cross-origin build, '' for same origin. */
  baseUrl: string;
  fetchImpl?: typeof fetch;
  tokens?: TokenStore;
  /** Reads `document.cookie` (injected for tests). */
  readCookies?: () => string;
  /** Called whenever a response carries a `Date` header (server clock estimate). */
  onServerDate?: (serverMs: number, receivedAtMs: number) => void;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function normaliseBaseUrl(raw: string | undefined | null): string {
  const value = (raw ?? '').trim();
  return value.replace(/\/+$/, '');
}

export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** `ws://` or `wss://` URL for a socket path, next to the API. */
export function websocketUrl(baseUrl: string, path: string, location?: { protocol: string; host: string }): string {
  if (baseUrl) return baseUrl.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`) + path;
  const loc = location ?? globalThis.location;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${path}`;
}

export class ApiClient {
  readonly mode: AuthMode;
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: TokenStore;
  private readonly readCookies: () => string;
  private readonly onServerDate?: (serverMs: number, receivedAtMs: number) => void;
  private csrfFromBody: string | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(config: ApiClientConfig) {
    this.baseUrl = normaliseBaseUrl(config.baseUrl);
    this.mode = this.baseUrl ? 'token' : 'session';
    this.fetchImpl = config.fetchImpl ?? ((...args) => globalThis.fetch(...args));
    this.tokens = config.tokens ?? memoryTokens();
    this.readCookies = config.readCookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    this.onServerDate = config.onServerDate;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown = {}, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** Whether a bearer token is stored (token mode); the session cookie is HttpOnly, so unknown there. */
  hasStoredToken(): boolean {
    return Boolean(this.tokens.get().access || this.tokens.get().refresh);
  }

  setTokens(tokens: { access?: string; refresh?: string }): void {
    this.tokens.set(tokens);
  }

  clearTokens(): void {
    this.tokens.clear();
  }

  /** Fetches a fresh CSRF token (and cookie). Needed after login, which rotates it. */
  async refreshCsrf(): Promise<void> {
    const body = await this.send<{ csrfToken?: string }>('GET', '/api/csrf/', {});
    this.csrfFromBody = body?.csrfToken ?? null;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.send<T>(method, path, options);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (this.mode === 'token' && error.status === 401 && error.code === 'not_authenticated' && !isTokenPath(path)) {
        const hadToken = this.hasStoredToken();
        if (await this.refreshAccess()) return this.send<T>(method, path, options);
        // The tokens are gone now: public endpoints still answer an anonymous caller.
        if (hadToken) return this.send<T>(method, path, options);
        throw error;
      }
      if (this.mode === 'session' && error.code === 'csrf_failed') {
        await this.refreshCsrf();
        return this.send<T>(method, path, options);
      }
      throw error;
    }
  }

  private refreshAccess(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const { refresh } = this.tokens.get();
    if (!refresh) {
      this.tokens.clear();
      return false;
    }
    try {
      const body = await this.send<{ access: string; refresh?: string }>('POST', '/api/token/refresh/', {
        body: { refresh },
        anonymous: true,
      });
      this.tokens.set({ access: body.access, refresh: body.refresh });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === NETWORK_ERROR) throw error;
      this.tokens.clear();
      return false;
    }
  }

  private async csrfToken(): Promise<string | null> {
    const fromCookie = readCookie(this.readCookies(), 'csrftoken');
    if (fromCookie) return fromCookie;
    if (!this.csrfFromBody) await this.refreshCsrf();
    return readCookie(this.readCookies(), 'csrftoken') ?? this.csrfFromBody;
  }

  private async send<T>(
    method: string,
    path: string,
    options: RequestOptions & { anonymous?: boolean },
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.mode === 'token') {
      const { access } = this.tokens.get();
      if (access && !options.anonymous) headers.Authorization = `Bearer ${access}`;
    } else if (UNSAFE.has(method) && path !== '/api/csrf/') {
      const token = await this.csrfToken();
      if (token) headers['X-CSRFToken'] = token;
    }

    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: this.mode === 'session' ? 'same-origin' : 'omit',
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

    const payload = await parseJson(response);
    if (response.ok) return payload as T;
    throw toApiError(response, payload);
  }
}

function isTokenPath(path: string): boolean {
  return path.startsWith('/api/token/');
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
    return new ApiError(
      response.status,
      String(code),
      typeof error === 'string' ? error : response.statusText,
      details,
      retryAfter,
    );
  }
  const code = FALLBACK_CODES[response.status] ?? 'server_error';
  return new ApiError(response.status, code, response.statusText || 'Unexpected response', {}, retryAfter);
}
