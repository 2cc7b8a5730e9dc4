import { useId, useState } from 'react';
import { countOf } from '../../../lib/format';
import { sumPrices } from '../../../lib/money';
import { seatPlaces, type MapLayout, type MoneyText, type SeatStore } from '../../seat-map';
import { rowsOf, type Selection } from '../model/selection';

interface SelectionPanelProps {
  selection: Selection;
  store: SeatStore;
  layout: MapLayout;
  money: MoneyText;
  onPickSection: (section: string, row: string | null) => void;
  onClear: () => void;
}

/** What is selected (a count, the places row by row, what it costs) and the picker by section and row. */
export function SelectionPanel({ selection, store, layout, money, onPickSection, onClear }: SelectionPanelProps) {
  const seats = selection.flatMap((id) => store.getSeat(id) ?? []);
  const sections = layout.sections.map((s) => s.name);
  const [section, setSection] = useState(sections[0] ?? '');
  const [row, setRow] = useState('');
  const ids = useId();
  const rows = rowsOf(layout, section);
  return (
    <section className="console-panel" aria-labelledby={`${ids}-title`} data-testid="selection">
      <h2 id={`${ids}-title`}>
        Selected: <span data-testid="selected-count">{countOf(seats.length, 'seat')}</span>
      </h2>
      {seats.length === 0 ? (
        <p className="hint">Click seats on the map; Shift-click takes a whole row, a drag with the mouse takes the seats in its box.</p>
      ) : (
        <>
          <ul className="selection__places" data-testid="selected-places">
            {seatPlaces(seats).map((place) => (
              <li key={place}>{place}</li>
            ))}
          </ul>
          <p>
            Face value {money(sumPrices(seats.map((s) => s.price)))}{' '}
            <button type="button" className="button button--small" onClick={onClear}>
              Clear
            </button>
          </p>
        </>
      )}
      <fieldset className="selection__picker">
        <legend>Add by section and row</legend>
        <label>
          Section{' '}
          <select
            value={section}
            onChange={(event) => {
              setSection(event.target.value);
              setRow('');
            }}
          >
            {sections.map((name) => (
              <option key={name} value={name}>
                {name || 'No section'}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Row{' '}
          <select value={row} onChange={(event) => setRow(event.target.value)}>
            <option value="">Every row</option>
            {rows.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="button" className="button button--small" onClick={() => onPickSection(section, row === '' ? null : row)}>
          Add
        </button>
      </fieldset>
    </section>
  );
}
