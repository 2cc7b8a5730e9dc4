/** The account's e-mail address and its verification (API.md "E-mail verification"). */
import type { components } from '../../../lib/api-types';
import { api } from '../../../lib/api';

export type EmailState = components['schemas']['EmailState'];
export type EmailVerified = components['schemas']['EmailVerified'];

/** Gives the account this address and sends it a link (202). */
export const changeEmail = (email: string) => api.post<EmailState>('/api/me/email/', { email });

/** Sends the account's address a new link (202); limited per account (429). */
export const resendLink = () => api.post<EmailState>('/api/me/email/resend/', {});

/** The link's token, posted by the /verify-email page: no login needed. */
export const verifyEmail = (token: string) => api.post<EmailVerified>('/api/verify-email/', { token });
