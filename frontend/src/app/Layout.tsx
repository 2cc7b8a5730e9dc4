import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { Icon } from '../components/Icon';
import { useLogout, useMe } from '../features/auth';

export function Layout() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <Icon name="ticket" size={20} /> <span className="brand__name">Seat map</span>
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Events
          </NavLink>
          {me.data && <NavLink to="/reservations">My reservations</NavLink>}
        </nav>
        <div className="topbar__user">
          {me.data ? (
            <>
              <span className="topbar__who">
                <span className="topbar__signed-in">Signed in as </span>
                <strong>{me.data.username}</strong>
              </span>
              <button
                type="button"
                className="button button--small"
                disabled={logout.isPending}
                onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/') })}
              >
                Log out
              </button>
            </>
          ) : (
            !me.isPending && (
              <Link className="button button--small" to="/login">
                Log in
              </Link>
            )
          )}
        </div>
      </header>
      <main id="main" className="page">
        <Outlet />
      </main>
    </>
  );
}
