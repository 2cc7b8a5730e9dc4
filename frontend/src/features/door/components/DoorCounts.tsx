import { hallOf, type Gates } from '../model/doorCounts';

/** The hall's and each gate's counts, as the console shows them once anyone is scanned in. */
export function DoorCounts({ gates }: { gates: Gates }) {
  const names = Object.keys(gates).sort();
  if (!names.length) return null;
  const hall = hallOf(gates);
  return (
    <p className="door-counts" data-testid="door-counts">
      At the door: <strong>{hall.inside} inside</strong> ({hall.entered} in, {hall.left} out)
      {names.map((gate) => ` · ${gate}: ${gates[gate].entered} in, ${gates[gate].left} out`)}
    </p>
  );
}
