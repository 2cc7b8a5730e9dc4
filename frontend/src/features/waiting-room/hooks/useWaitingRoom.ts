import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, NETWORK_ERROR } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/error-messages';
import type { PlaceFrame, QueueFrame } from '../../../lib/protocol-types';
import { queryKeys } from '../../../lib/query-keys';
import type { TurnRefusal } from '../../../lib/queue-turn';
import { claimTurn, extendTurn, fetchQueue, joinQueue, type QueuePlace, type QueueStatus, type QueueTurn } from '../api/queue';
import { queuePosition, type Position } from '../model/position';
import { mergeQueue, shouldClaim, shouldJoin, showsMap, withPlace, type FailedCall, type QueueView } from '../model/room';

/** What the event's socket told of its waiting room (the live feature's QueueFeed). */
export interface LiveQueue {
  frame: QueueFrame | null;
  place: PlaceFrame | null;
  refusal: { code: string; token: string | null } | null;
}

export interface RoomNotice {
  /** `error`: something the buyer lost or could not do; `info`: all is well, just so you know. */
  tone: 'error' | 'info';
  text: string;
}

export interface WaitingRoomOptions {
  eventId: number;
  /**
   * The event has a waiting room (its detail's `queue` is not null). A `queue` frame on the
   * socket says so too: a room made moments ago may not be in a detail read just before.
   */
  queued: boolean;
  loggedIn: boolean;
  live: LiveQueue;
  /** The socket brings frames; while it does not, the state is read over HTTP now and then. */
  socketUp: boolean;
}

export interface WaitingRoom {
  /** The event has a waiting room, as far as the server says. */
  on: boolean;
  view: QueueView | null;
  /** Where the buyer stands, once numbered. */
  position: Position | null;
  /** The buyer's turn (its token goes on every lock), while it runs. */
  turn: QueueTurn | null;
  /** Show the map (no waiting room, or the buyer's turn); otherwise the waiting room. */
  showMap: boolean;
  /** What happened to the buyer's place or turn, in one sentence, until dismissed. */
  notice: RoomNotice | null;
  dismissNotice: () => void;
  loading: boolean;
  error: unknown;
  claiming: boolean;
  extend: () => void;
  extending: boolean;
  /**
   * A seat call was refused for the turn (403 `queue_turn_*`, told in `text`): back to the
   * waiting room, told why; unless, refused as `queue_turn_required` (the organiser revoked the
   * passes), a fresh read of the place gives the running turn a new one.
   */
  turnLost: (text: string, refusal: TurnRefusal) => void;
  /** The join was refused for want of a verified e-mail (403 `email_unverified`), until `joinAgain`. */
  emailUnverified: { reason: string; email: string } | null;
  joinAgain: () => void;
}

const READ_WHILE_SOCKET_DOWN_MS = 10_000;

/** Said when a refused pass was replaced by a fresh one for the same running turn. */
export const TURN_RENEWED = 'Your turn goes on: its pass was renewed. Please try that again.';

function codeOf(error: unknown): string {
  return error instanceof ApiError ? error.code : NETWORK_ERROR;
}

/**
 * The buyer's side of an event's waiting room: the state read over HTTP and kept current by the
 * socket's frames, a place taken as soon as the room is open (logged in), the turn claimed as
 * soon as the number is called, made longer once on request, and given up when the server says
 * it is over. The place and the turn live in the query cache (`queryKeys.queue`), in memory
 * only: a reload asks `GET queue/`, which answers a running turn with a fresh token.
 */
export function useWaitingRoom({ eventId, queued, loggedIn, live, socketUp }: WaitingRoomOptions): WaitingRoom {
  const queryClient = useQueryClient();
  // Whose place it is differs with the login: read again after one.
  const key = useMemo(() => [...queryKeys.queue(eventId), loggedIn ? 'mine' : 'anonymous'] as const, [eventId, loggedIn]);
  const queuedNow = queued || live.frame !== null;
  const read = useQuery({
    queryKey: key,
    queryFn: () => fetchQueue(eventId),
    enabled: queuedNow,
    refetchInterval: socketUp ? false : READ_WHILE_SOCKET_DOWN_MS,
  });
  const noQueue = read.error instanceof ApiError && read.error.code === 'no_queue';
  const on = queuedNow && !noQueue;
  const view = useMemo(() => (on ? mergeQueue(read.data, live.frame, live.place) : null), [on, read.data, live.frame, live.place]);

  const [notice, setNotice] = useState<RoomNotice | null>(null);
  const tell = useCallback((text: string, tone: RoomNotice['tone'] = 'error') => setNotice({ tone, text }), []);
  const [joinFailed, setJoinFailed] = useState<FailedCall | null>(null);
  const [emailUnverified, setEmailUnverified] = useState<WaitingRoom['emailUnverified']>(null);
  const [claimFailed, setClaimFailed] = useState<FailedCall | null>(null);
  /** A turn ended on this page: it is not claimed again behind the buyer's back. */
  const [turnEnded, setTurnEnded] = useState(false);

  const setPlace = useCallback(
    (place: (current: QueuePlace | null) => QueuePlace | null) =>
      queryClient.setQueryData<QueueStatus>(key, (status) => (status ? withPlace(status, place(status.place)) : status)),
    [queryClient, key],
  );
  const reread = useCallback(() => void queryClient.invalidateQueries({ queryKey: queryKeys.queue(eventId) }), [queryClient, eventId]);

  const join = useMutation({
    mutationFn: () => joinQueue(eventId),
    onSuccess: ({ place }) => setPlace(() => place),
    onError: (error) => {
      setJoinFailed({ code: codeOf(error), under: view?.queue.state ?? '' });
      if (error instanceof ApiError && error.code === 'email_unverified') {
        setEmailUnverified({ reason: error.message, email: String(error.details.email ?? '') });
      }
    },
  });
  const claim = useMutation({
    mutationFn: () => claimTurn(eventId),
    // The place may be known from the socket only (taken in another tab): the turn goes with it.
    onSuccess: ({ turn }) =>
      setPlace((place) => {
        const own = place ?? view?.place ?? null;
        return own && { ...own, called: true, turn };
      }),
    onError: (error) => {
      const code = codeOf(error);
      setClaimFailed({ code, under: view?.queue.at ?? '' });
      if (code === 'turn_lapsed') tell(errorMessage(error));
      // The place went (the server's queue was rebuilt): read it again, then join again.
      if (code === 'not_in_queue') reread();
    },
  });
  const extension = useMutation({
    mutationFn: () => extendTurn(eventId),
    onSuccess: ({ turn }) => setPlace((place) => place && { ...place, turn }),
    onError: (error) => {
      if (codeOf(error) === 'turn_extended') setPlace((place) => place?.turn ? { ...place, turn: { ...place.turn, extended: true } } : place);
      tell(errorMessage(error));
    },
  });

  const { mutate: joinNow } = join;
  const wantJoin = read.isSuccess && !join.isPending && shouldJoin(view, loggedIn, joinFailed);
  useEffect(() => {
    if (wantJoin) joinNow();
  }, [wantJoin, joinNow]);

  const { mutate: claimNow } = claim;
  const wantClaim = loggedIn && read.isSuccess && !claim.isPending && shouldClaim(view, claimFailed, turnEnded);
  useEffect(() => {
    if (wantClaim) claimNow();
  }, [wantClaim, claimNow]);

  // The server rebuilt its queue state (after a Redis loss): read the place again, once for
  // each rebuild the socket tells of.
  const rereadCount = live.frame?.reread ?? 0;
  const stale = read.isSuccess && rereadCount > (read.data?.reread ?? 0);
  useEffect(() => {
    if (stale) reread();
  }, [stale, rereadCount, reread]);

  const turn = view?.place?.turn ?? null;

  /** The turn is over on this page: no map, no claim behind the buyer's back, told why. */
  const endTurn = useCallback(
    (text: string) => {
      setPlace((place) => place && { ...place, turn: null });
      setTurnEnded(true);
      tell(text);
    },
    [setPlace, tell],
  );

  /**
   * After a refusal: an ended turn ends here; a pass that is merely not good any more (revoked)
   * is replaced by a fresh one if `GET queue/` says the turn still runs.
   */
  const settleRefusal = useCallback(
    async (lostToken: string | null, text: string, refusal: TurnRefusal) => {
      if (refusal === 'queue_turn_required' && lostToken) {
        const fresh = await queryClient.fetchQuery({ queryKey: key, queryFn: () => fetchQueue(eventId), staleTime: 0 }).catch(() => null);
        const running = fresh?.place?.turn;
        if (running && running.token !== lostToken) {
          tell(TURN_RENEWED, 'info');
          return;
        }
      }
      endTurn(text);
      if (refusal === 'queue_turn_expired') reread();
    },
    [queryClient, key, eventId, endTurn, reread, tell],
  );

  const turnToken = turn?.token ?? null;
  const turnLost = useCallback(
    (text: string, refusal: TurnRefusal) => void settleRefusal(turnToken, text, refusal),
    [settleRefusal, turnToken],
  );

  // The socket refused the pass this page has (PROTOCOL.md "Waiting room").
  const refusal = live.refusal;
  const refusedNow = refusal !== null && turnToken !== null && refusal.token === turnToken;
  useEffect(() => {
    if (!refusedNow || !refusal) return;
    const text = errorMessage(new ApiError(403, refusal.code, ''));
    void Promise.resolve().then(() => settleRefusal(refusal.token, text, refusal.code as TurnRefusal));
  }, [refusedNow, refusal, settleRefusal]);

  const number = view?.place?.number ?? null;
  const position = useMemo(() => (view && number !== null ? queuePosition(view.queue, number) : null), [view, number]);

  return {
    on,
    view,
    position,
    turn,
    showMap: showsMap(on, view),
    notice,
    dismissNotice: useCallback(() => setNotice(null), []),
    loading: on && read.isPending,
    error: noQueue ? null : read.error,
    claiming: claim.isPending,
    extend: extension.mutate,
    extending: extension.isPending,
    turnLost,
    emailUnverified,
    joinAgain: useCallback(() => {
      setEmailUnverified(null);
      setJoinFailed(null);
    }, []),
  };
}
