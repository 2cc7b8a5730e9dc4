import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';
import { ApiError } from '../../../lib/api-client';

/** Who is logged in, and what they may do in the organiser's console (`console`, [] for a buyer). */
export type User = components['schemas']['MeOutput'];
export type Credentials = components['schemas']['CredentialsInput'];
/** A new account: its credentials and, optionally, where its booking confirmations are e-mailed. */
export type Registration = components['schemas']['RegisterInput'];

/** The logged-in user, or null (no access token and no refresh cookie that works). */
export async function fetchMe(): Promise<User | null> {
  if (!(await api.resume())) return null;
  try {
    return await api.get<User>('/api/me/');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(credentials: Credentials): Promise<User> {
  await api.login(credentials);
  return api.get<User>('/api/me/');
}

export async function logout(): Promise<void> {
  await api.logout();
}

export async function register(registration: Registration): Promise<User> {
  await api.post<User>('/api/register/', registration);
  return login({ username: registration.username, password: registration.password });
}
