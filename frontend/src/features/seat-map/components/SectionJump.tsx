import { useId, useState, type FormEvent, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import type { MapLayout } from '../model/layout';
import type { RovingFocus } from '../model/rovingFocus';
import { sectionText } from '../model/seatText';

interface SectionJumpProps {
  layout: MapLayout;
  focus: RovingFocus;
  /** The box the list's seat buttons are in. */
  list: RefObject<HTMLElement | null>;
}

/**
 * The List view's jump to a section: choose one, press Go, and the focus moves to the first seat
 * of its first row, told to screen readers. A Go button, not a select that moves the focus on its
 * own: a keyboard goes through a select's options one by one (WCAG 3.2.2, on input).
 */
export function SectionJump({ layout, focus, list }: SectionJumpProps) {
  const selectId = useId();
  const sections = layout.sections.filter((section) => section.name !== '' && section.rows.length > 0);
  const [chosen, setChosen] = useState(sections[0]?.name ?? '');
  const [said, setSaid] = useState('');
  if (sections.length < 2) return null;

  const jump = (event: FormEvent) => {
    event.preventDefault();
    const section = sections.find((s) => s.name === chosen) ?? sections[0];
    const row = section.rows[0];
    const seatId = row.seatIds[0];
    // Synchronously: in a windowed list the row gets its seats now, so its first can take focus.
    flushSync(() => focus.setActive(seatId));
    list.current?.querySelector<HTMLElement>(`[data-seat-id="${seatId}"]`)?.focus();
    setSaid(`${sectionText(section.name)}, row ${row.row}: its first seat has the focus.`);
  };

  return (
    <form className="section-jump" onSubmit={jump}>
      <label htmlFor={selectId}>Go to section</label>
      <select id={selectId} value={chosen} onChange={(event) => setChosen(event.target.value)} data-testid="section-jump-select">
        {sections.map((section) => (
          <option key={section.name} value={section.name}>
            {sectionText(section.name)}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--small">
        Go
      </button>
      <p className="visually-hidden" role="status" data-testid="section-jump-said">
        {said}
      </p>
    </form>
  );
}
