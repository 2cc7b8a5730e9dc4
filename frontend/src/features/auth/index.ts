export { LoginForm } from './components/LoginForm';
export { RequireAuth } from './components/RequireAuth';
export { useLogout, useMe } from './hooks/useAuth';
export { EmailVerificationPrompt } from './components/EmailVerificationPrompt';
export { VerifyEmailPage } from './components/VerifyEmailPage';
