import { LEGEND } from '../model/seatText';

export function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      {LEGEND.map(({ kind, title }) => (
        <li key={kind}>
          <span className={`seat seat--${kind} seat--swatch`} aria-hidden="true" />
          {title}
        </li>
      ))}
    </ul>
  );
}
