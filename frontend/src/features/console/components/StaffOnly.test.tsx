// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { StaffOnly } from './StaffOnly';

afterEach(cleanup);

function page(permissions: string[] | undefined) {
  render(
    <MemoryRouter>
      <StaffOnly permissions={permissions}>
        <p>The console</p>
      </StaffOnly>
    </MemoryRouter>,
  );
}

describe("the console's gate", () => {
  it("tells a buyer the page is the staff's, and shows nothing of the console", () => {
    page([]);
    expect(screen.getByRole('heading', { name: "This page is for the event's staff" })).toBeTruthy();
    expect(screen.queryByText('The console')).toBeNull();
  });

  it('lets staff who may watch the sale in', () => {
    page(['view_console', 'sell_at_box_office']);
    expect(screen.getByText('The console')).toBeTruthy();
    expect(screen.queryByText("This page is for the event's staff")).toBeNull();
  });

  it('keeps out an account with a permission but not the right to watch the sale', () => {
    page(['change_event']);
    expect(screen.queryByText('The console')).toBeNull();
  });
});
