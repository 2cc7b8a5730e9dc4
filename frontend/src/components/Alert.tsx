import type { ReactNode } from 'react';

/** An error told at once (`role="alert"`), in the page's error style. */
export function Alert({ children }: { children: ReactNode }) {
  return <p className="notice notice--error" role="alert">{children}</p>;
}
