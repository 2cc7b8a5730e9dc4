import { useId, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { Alert } from '../../../components/Alert';
import { errorMessage } from '../../../lib/error-messages';
import { useLogin, useMe, useRegister } from '../hooks/useAuth';

/** Where to go after logging in: only paths of this app, never another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginForm({ mode = 'login' }: { mode?: 'login' | 'register' }) {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const me = useMe();
  const loginMutation = useLogin();
  const registerMutation = useRegister();
  const mutation = mode === 'login' ? loginMutation : registerMutation;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const errorId = useId();

  if (me.data && !mutation.isPending && !mutation.isSuccess) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const credentials = { username: username.trim(), password };
    const done = { onSuccess: () => navigate(next, { replace: true }) };
    if (mode === 'register') registerMutation.mutate({ ...credentials, email: email.trim() }, done);
    else loginMutation.mutate(credentials, done);
  };

  const title = mode === 'login' ? 'Log in' : 'Create an account';
  const other = mode === 'login' ? '/register' : '/login';
  const otherText = mode === 'login' ? 'New here? Create an account' : 'Already have an account? Log in';

  return (
    <section className="card auth" aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      <form onSubmit={submit} noValidate aria-describedby={mutation.isError ? errorId : undefined}>
        <label>
          Username
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {mode === 'register' && (
          <label>
            E-mail (optional: your booking confirmations go there, and a waiting room asks for it; we send a link to confirm it)
            <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
        )}
        {mutation.isError && <Alert id={errorId}>{errorMessage(mutation.error)}</Alert>}
        <button type="submit" className="button button--primary" disabled={mutation.isPending || !username || !password}>
          {mutation.isPending ? 'Please wait…' : title}
        </button>
      </form>
      <p>
        <Link to={{ pathname: other, search: params.toString() ? `?${params}` : '' }}>{otherText}</Link>
      </p>
      <p className="hint">Demo accounts: alice / bob, password seats-demo-1.</p>
    </section>
  );
}
