import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../../../lib/error-messages';
import { queryKeys } from '../../../lib/query-keys';
import { verifyEmail } from '../api/email';
import { Alert } from '../../../components/Alert';

/** The page the verification e-mail links to (`/verify-email?token=...`): posts the token once. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: verifyEmail,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.me }),
  });
  const { mutate, status } = verify;
  useEffect(() => {
    if (token && status === 'idle') mutate(token);
  }, [token, status, mutate]);

  return (
    <section className="card" aria-labelledby="verify-email-title">
      <h1 id="verify-email-title">Confirm your e-mail address</h1>
      {!token && <p role="alert">This page needs the link from our e-mail: open the link as it came.</p>}
      {verify.isPending && <p className="loading">Confirming…</p>}
      {verify.isSuccess && (
        <p className="notice notice--ok" role="status" data-testid="email-verified">
          {verify.data.email} is confirmed. You can join waiting rooms now. <Link to="/">See the events</Link>
        </p>
      )}
      {verify.isError && <Alert>{errorMessage(verify.error)}</Alert>}
    </section>
  );
}
