import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { DoorFrame } from '../../../lib/protocol-types';
import { queryKeys } from '../../../lib/query-keys';
import { fetchDoorCounts } from '../api/door';
import { gatesMerged, hallOf, type Gates } from '../model/doorCounts';

/**
 * The door's counts in the console: read once, then moved on by the console socket's `door`
 * frames (`onDoor`, PROTOCOL.md "The door"), never polled.
 */
export function useDoorCounts(eventId: number) {
  const read = useQuery({ queryKey: queryKeys.doorCounts(eventId), queryFn: () => fetchDoorCounts(eventId) });
  const [told, setTold] = useState<Gates>({});
  const onDoor = useCallback((frame: DoorFrame) => setTold((known) => gatesMerged(known, frame.gates)), []);
  const gates = useMemo(() => gatesMerged(read.data?.gates ?? {}, told), [read.data, told]);
  return { gates, hall: hallOf(gates), onDoor };
}
