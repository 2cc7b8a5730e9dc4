import { ApiClient, normaliseBaseUrl, websocketUrl } from './api-client';
import { serverClock } from './server-clock';

/** Empty for the same-origin build Django serves; the API's origin for a build hosted elsewhere. */
export const API_URL = normaliseBaseUrl(import.meta.env.VITE_API_URL);

export const api = new ApiClient({
  baseUrl: API_URL,
  onServerDate: serverClock.observe,
});

export function socketUrl(path: string): string {
  return websocketUrl(API_URL, path);
}
