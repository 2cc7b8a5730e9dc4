import { useState } from 'react';
import { API_URL } from '../../../lib/api';
import { errorMessage } from '../../../lib/error-messages';
import { saveFile } from '../../../lib/save-file';
import { exportPath, fetchExport } from '../api/console';
import { Alert } from '../../../components/Alert';

const EXPORTS = [
  ['sales', 'csv', 'Sales (CSV)'],
  ['sales', 'xlsx', 'Sales (XLSX)'],
  ['payments', 'csv', 'Payments (CSV)'],
  ['payments', 'xlsx', 'Payments (XLSX)'],
  ['ledger', 'csv', 'Ledger (CSV)'],
  ['ledger', 'xlsx', 'Ledger (XLSX)'],
] as const;

/** The event's exports, the admin's own files, for a role that may export (a Manager). */
export function ExportLinks({ eventId }: { eventId: number }) {
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <section className="console-panel console-exports" aria-label="Exports" data-testid="exports">
      <h2>Exports</h2>
      <p>
        {EXPORTS.map(([what, type, label]) => {
          const path = exportPath(eventId, what, type);
          const name = `event-${eventId}-${what}.${type}`;
          return (
            <a
              key={name}
              className="button button--small"
              href={API_URL + path}
              download={name}
              onClick={(event) => {
                event.preventDefault();
                setFailure(null);
                fetchExport(path)
                  .then((file) => saveFile(file, name))
                  .catch((error: unknown) => setFailure(errorMessage(error)));
              }}
            >
              {label}
            </a>
          );
        })}
      </p>
      {failure && <Alert>{failure}</Alert>}
    </section>
  );
}
