import { useEffect, type ReactNode } from 'react';

export type ToastTone = 'ok' | 'error' | 'info' | 'login';

export interface ToastMessage {
  tone: ToastTone;
  text: string;
  /** Links or buttons after the text ("Log in", "See my reservations"). */
  actions?: ReactNode;
}

/** How long a success stays on screen; errors stay until dismissed or replaced. */
export const TOAST_FADE_MS = 5_000;

interface ToastProps {
  message: ToastMessage | null;
  onDismiss: () => void;
}

/**
 * The answer to what the buyer just did, where the eye is: fixed at the bottom of the viewport
 * (above a bottom bar on phones), so it never moves the map under the pointer. The live region
 * is always in the page, so a screen reader hears each message that is put in it (politely: it
 * never cuts off what is being read).
 */
export function Toast({ message, onDismiss }: ToastProps) {
  const fades = message !== null && message.tone !== 'error' && message.tone !== 'login';
  useEffect(() => {
    if (!fades) return;
    const timer = setTimeout(onDismiss, TOAST_FADE_MS);
    return () => clearTimeout(timer);
  }, [message, fades, onDismiss]);

  // The live region holds the words only (not the close button, which a screen reader would
  // read out with them), and is in the page, empty, before the first message.
  return (
    <div className="toast-region">
      <div className={message ? `toast toast--${message.tone}` : undefined} data-testid={message ? 'toast' : undefined} data-tone={message?.tone}>
        <p className="toast__text" role="status" aria-live="polite" aria-atomic="true" data-testid="toast-region">
          {message && (
            <>
              {message.text}
              {message.actions && <> {message.actions}</>}
            </>
          )}
        </p>
        {message && (
          <button type="button" className="toast__close" aria-label="Dismiss message" onClick={onDismiss}>
            ×
          </button>
        )}
      </div>
    </div>
  );
}
