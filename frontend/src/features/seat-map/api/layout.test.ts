import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { layoutOrNull } from './layout';

describe('the layout request', () => {
  it('gives the layout when there is one', async () => {
    const layout = { event_id: 1, width: 10, height: 10, seats: [], shapes: [] };
    await expect(layoutOrNull(async () => layout)).resolves.toBe(layout);
  });

  it('turns 404 into "no layout" (the grid is drawn)', async () => {
    await expect(layoutOrNull(async () => { throw new ApiError(404, 'not_found', 'Not found'); })).resolves.toBeNull();
  });

  it('lets other failures through (retried, then shown)', async () => {
    await expect(layoutOrNull(async () => { throw new ApiError(503, 'unavailable', 'x'); })).rejects.toMatchObject({ status: 503 });
  });
});
