import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../lib/error-messages';
import { changeEmail, resendLink } from '../api/email';

export interface EmailVerificationPromptProps {
  /** Why the buyer is asked (the server's `email_unverified` sentence). */
  reason: string;
  /** The account's address; empty when it has none (then a field to add one). */
  email: string;
  /** The buyer says they opened the link: try again. */
  onDone: () => void;
}

/**
 * Asked where an account needs a verified address (the waiting room's join): send the link
 * again, or add an address when the account has none; then "I have confirmed it".
 */
export function EmailVerificationPrompt({ reason, email, onDone }: EmailVerificationPromptProps) {
  const fieldId = useId();
  const [address, setAddress] = useState('');
  const send = useMutation({ mutationFn: (to: string | null) => (to === null ? resendLink() : changeEmail(to)) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate(address);
  };
  return (
    <div className="notice notice--warning" data-testid="verify-email-prompt">
      <p>{reason}</p>
      {email ? (
        <button type="button" onClick={() => send.mutate(null)} disabled={send.isPending}>
          Send the link again
        </button>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor={fieldId}>Your e-mail address</label>{' '}
          <input id={fieldId} type="email" required autoComplete="email" value={address} onChange={(e) => setAddress(e.target.value)} />{' '}
          <button type="submit" disabled={send.isPending}>
            Send me the link
          </button>
        </form>
      )}
      {send.isSuccess && <p role="status">We sent a link to {send.data.email}. Open it, then come back here.</p>}
      {send.isError && <p role="alert">{errorMessage(send.error)}</p>}
      <p>
        <button type="button" onClick={onDone}>
          I have confirmed it: join the queue
        </button>
      </p>
    </div>
  );
}
