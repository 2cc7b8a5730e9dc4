import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { consoleAbilities } from '../model/abilities';

/**
 * The console's pages for the event's staff only: a buyer (`me.console` is `[]`) is told so and
 * shown nothing else; the API would refuse every call anyway (403).
 */
export function StaffOnly({ permissions, children }: { permissions: readonly string[] | undefined; children: ReactNode }) {
  if (consoleAbilities(permissions).watch) return <>{children}</>;
  return (
    <section className="staff-only" data-testid="staff-only">
      <h1>This page is for the event's staff</h1>
      <p>
        Your account has no role in running this sale. <Link to="/">See all events</Link>.
      </p>
    </section>
  );
}
