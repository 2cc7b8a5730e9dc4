import { useState } from 'react';
import { API_URL } from '../../../lib/api';
import { errorMessage } from '../../../lib/error-messages';
import { saveFile } from '../../../lib/save-file';
import { fetchReservationCalendar } from '../api/reservations';
import { calendarFileName, calendarPath } from '../model/booking';
import { Alert } from '../../../components/Alert';

/**
 * "Add to calendar": the booking's .ics. The API wants the page's bearer token, which a plain
 * link does not send, so the click fetches the file and saves it; the link's own address is the
 * file's, for a browser that opens it some other way.
 */
export function CalendarLink({ reservationId }: { reservationId: number }) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <a
        className="button"
        href={API_URL + calendarPath(reservationId)}
        download={calendarFileName(reservationId)}
        aria-busy={busy}
        onClick={(event) => {
          event.preventDefault();
          if (busy) return;
          setBusy(true);
          setFailure(null);
          fetchReservationCalendar(reservationId)
            .then((text) => saveFile(text, calendarFileName(reservationId), 'text/calendar'))
            .catch((error: unknown) => setFailure(errorMessage(error)))
            .finally(() => setBusy(false));
        }}
      >
        Add to calendar
      </a>
      {failure && <Alert>{failure}</Alert>}
    </>
  );
}
