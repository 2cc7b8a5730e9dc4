import { api } from '../../../lib/api';
import { ApiError } from '../../../lib/api-client';

export interface User {
  id: number;
  username: string;
}

export interface Credentials {
  username: string;
  password: string;
}

/** The logged-in user, or null (401). */
export async function fetchMe(): Promise<User | null> {
  if (api.mode === 'token' && !api.hasStoredToken()) return null;
  try {
    return await api.get<User>('/api/me/');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(credentials: Credentials): Promise<User> {
  if (api.mode === 'token') {
    const tokens = await api.post<{ access: string; refresh: string }>('/api/token/', credentials);
    api.setTokens(tokens);
    return api.get<User>('/api/me/');
  }
  const answer = await api.post<{ success: boolean; user: User }>('/api/login/', credentials);
  // Django rotates the CSRF token at login: take the new one before the next unsafe request.
  await api.refreshCsrf();
  return answer.user;
}

export async function logout(): Promise<void> {
  if (api.mode === 'token') {
    api.clearTokens();
    return;
  }
  await api.post('/api/logout/');
  await api.refreshCsrf().catch(() => undefined);
}

export async function register(credentials: Credentials): Promise<User> {
  await api.post<User>('/api/register/', credentials);
  return login(credentials);
}
