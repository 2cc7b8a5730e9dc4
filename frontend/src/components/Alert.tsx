import type { ReactNode } from 'react';

/** An error told at once (`role="alert"`), in the page's error style. */
export function Alert({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} className="notice notice--error" role="alert">
      {children}
    </p>
  );
}
