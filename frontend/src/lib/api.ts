import { ApiClient, normaliseBaseUrl, storedSessionHint, websocketUrl } from './api-client';
import { serverClock } from './server-clock';

/** Empty for the same-origin build Django serves; the API's origin for a build hosted elsewhere. */
export const API_URL = normaliseBaseUrl(import.meta.env.VITE_API_URL);

export const api = new ApiClient({
  baseUrl: API_URL,
  onServerDate: serverClock.observe,
  // No refresh-cookie probe (and its 401) for a visitor who has not logged in in this browser.
  session: storedSessionHint(),
});

export function socketUrl(path: string): string {
  return websocketUrl(API_URL, path);
}
