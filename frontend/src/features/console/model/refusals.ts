import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/error-messages';

/**
 * What to tell staff when the server refused: its own sentence for a refusal of the console's
 * rules ("Only free seats can be taken off sale; A3 is held by a buyer.", a role that may not),
 * which names each seat and why; the app's usual words for anything else (offline, a login
 * that lapsed, a server error, which is never shown).
 */
export function refusalText(error: unknown): string {
  if (error instanceof ApiError && [400, 403, 404, 409].includes(error.status) && error.message) return error.message;
  return errorMessage(error);
}
