import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { RequireAuth, useMe } from '../../auth';
import { consolePermissions } from '../../../lib/roles';
import { useEvent } from '../../events';
import { fetchDoorKeys, postScan } from '../api/door';
import { useDoorSocket } from '../hooks/useDoorSocket';
import { gatesMerged, hallOf, type Gates } from '../model/doorCounts';
import { DoorScanner, type DoorAnswer, type Direction } from '../model/doorScanner';
import { formatClockTime } from '../../../lib/format';
import { beep } from './beep';

const loadCamera = () => import('./Camera');
const Camera = lazy(loadCamera);

const GATE_KEY = 'seatmap.door.gate';
/** A camera sees a code as long as it is held up: read once, until it has been out of sight this long. */
const OUT_OF_SIGHT_MS = 3000;

/** `/door/:eventId`: a door's scanner, for the event's Door role (or any staff who may scan). */
export function DoorPage() {
  const id = Number(useParams().eventId);
  const me = useMe();
  if (!Number.isInteger(id) || id <= 0) return <p className="notice notice--error">There is no such event.</p>;
  const mayScan = consolePermissions(me.data, id).includes('scan_tickets');
  return (
    <RequireAuth>
      {mayScan ? (
        <Door key={id} eventId={id} />
      ) : (
        <section className="staff-only" data-testid="staff-only">
          <h1>This page is for the event&apos;s door staff</h1>
          <p>Your account may not scan this event&apos;s tickets.</p>
        </section>
      )}
    </RequireAuth>
  );
}

function Door({ eventId }: { eventId: number }) {
  const event = useEvent(eventId);
  const [scanner] = useState(() => new DoorScanner(eventId, (scan) => postScan(eventId, scan)));
  const [gate, setGate] = useState(() => localStorage.getItem(GATE_KEY) ?? 'Main');
  const [direction, setDirection] = useState<Direction>('entry');
  const [answer, setAnswer] = useState<DoorAnswer | null>(null);
  const [gates, setGates] = useState<Gates>({});
  const [queued, setQueued] = useState(scanner.queued);
  const [camera, setCamera] = useState(false);
  const last = useRef({ code: '', at: 0 });

  const sync = useCallback(async () => {
    await scanner.upload();
    setQueued(scanner.queued);
    const keys = await fetchDoorKeys(eventId).catch(() => null);
    if (!keys) return;
    scanner.synced(keys);
    setGates((known) => gatesMerged(known, keys.counts.gates));
  }, [eventId, scanner]);
  const connection = useDoorSocket(
    eventId,
    (frame) => {
      scanner.revoke(frame.revoked);
      setGates((known) => gatesMerged(known, frame.gates));
    },
    () => void sync(),
  );
  // The camera's code and decoder fetched while the network is there: a door may lose it before
  // anyone turns the camera on.
  useEffect(() => void loadCamera(), []);
  useEffect(() => {
    const back = () => void sync();
    window.addEventListener('online', back);
    return () => window.removeEventListener('online', back);
  }, [sync]);

  const scan = useCallback(
    async (code: string) => {
      if (!code.trim()) return;
      const told = await scanner.scan(code, gate, direction);
      setAnswer(told);
      setQueued(scanner.queued);
      beep(told.result === 'ok');
      if (!told.offline && scanner.queued) void sync();
    },
    [scanner, gate, direction, sync],
  );

  const typed = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const field = e.currentTarget.elements.namedItem('code') as HTMLInputElement;
    void scan(field.value);
    field.value = '';
  };
  const hall = hallOf(gates);
  const here = gates[gate] ?? { entered: 0, left: 0 };
  const online = connection === 'open';

  return (
    <section className="door" aria-labelledby="door-title">
      <h1 id="door-title">Door: {event.data?.name ?? `event ${eventId}`}</h1>
      <p className="door__status" data-testid="door-status">
        <span className={online ? 'door__light door__light--on' : 'door__light'}>{online ? 'Online' : 'Offline'}</span>
        {' · '}
        {queued ? `${queued} scan${queued === 1 ? '' : 's'} to upload` : 'nothing to upload'}
        {' · '}
        {scanner.revoked.size} revoked
        {scanner.syncedAt ? ` · synced ${formatClockTime(new Date(scanner.syncedAt))}` : ''}
      </p>
      <div className="door__controls">
        <label>
          Gate{' '}
          <input
            value={gate}
            maxLength={50}
            onChange={(e) => {
              setGate(e.target.value);
              localStorage.setItem(GATE_KEY, e.target.value);
            }}
          />
        </label>
        <fieldset className="door__direction">
          <legend>Scanning</legend>
          {(['entry', 'exit'] as const).map((d) => (
            <label key={d}>
              <input type="radio" name="direction" checked={direction === d} onChange={() => setDirection(d)} /> {d === 'entry' ? 'In' : 'Out'}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => setCamera((on) => !on)}>
          {camera ? 'Stop camera' : 'Start camera'}
        </button>
      </div>
      {camera && (
        <Suspense fallback={<p>Starting the camera…</p>}>
          <Camera
            onCode={(code) => {
              const now = Date.now();
              const held = code === last.current.code && now - last.current.at < OUT_OF_SIGHT_MS;
              last.current = { code, at: now };
              if (!held) void scan(code);
            }}
          />
        </Suspense>
      )}
      <form onSubmit={typed} className="door__typed">
        <label>
          Code (a scanner gun types here){' '}
          <input name="code" autoFocus autoComplete="off" spellCheck={false} data-testid="door-code" />
        </label>
        <button type="submit">Check</button>
      </form>
      {answer && <Answer answer={answer} />}
      <p className="door__counts" data-testid="door-counts">
        Inside {hall.inside} · in {hall.entered} · out {hall.left} · this gate: in {here.entered}, out {here.left}
      </p>
    </section>
  );
}

const REFUSED: Record<string, string> = {
  invalid_ticket: 'NOT A TICKET',
  wrong_event: 'WRONG EVENT',
  revoked: 'REVOKED',
  unpaid: 'NOT PAID',
  already_inside: 'ALREADY INSIDE',
  not_inside: 'NOT INSIDE',
};

function Answer({ answer }: { answer: DoorAnswer }) {
  const ok = answer.result === 'ok';
  return (
    <div className={ok ? 'door-answer door-answer--ok' : 'door-answer door-answer--refused'} role="status" data-testid="door-answer">
      <p className="door-answer__verdict">{ok ? 'OK' : (REFUSED[answer.result] ?? 'REFUSED')}</p>
      {answer.seat && <p className="door-answer__seat">{answer.seat}</p>}
      {answer.name && <p>{answer.name}</p>}
      {answer.said && !ok && <p>{answer.said}</p>}
      {answer.offline && (
        <p className="muted" data-testid="door-offline">
          Checked on this device (offline, {Math.round(answer.ms ?? 0)} ms)
        </p>
      )}
    </div>
  );
}
