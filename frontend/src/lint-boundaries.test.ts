import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The boundaries are only as good as the config that states them: these lint imports that
// must be refused (and one that must pass) as if they were written in the named file.
// Only the boundary rule: no-cycle cannot follow a file that is not on disk.
const eslint = new ESLint({ ruleFilter: ({ ruleId }) => ruleId === 'import/no-restricted-paths' });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('feature boundaries (eslint.config.js)', () => {
  it("refuses a feature reaching into another feature's insides", async () => {
    const errors = await boundaryErrors('src/features/events/probe.ts', "export { seatKind } from '../seat-map/model/seatKinds';\n");
    expect(errors).toEqual([expect.stringContaining('only through its index.ts')]);
  });

  it('fences in the waiting room like every feature', async () => {
    const errors = await boundaryErrors('src/app/probe.ts', "export { queuePosition } from '../features/waiting-room/model/position';\n");
    expect(errors).toEqual([expect.stringContaining('only through its index.ts')]);
    expect(await boundaryErrors('src/features/waiting-room/probe.ts', "export { useNow } from '../holds/hooks/useNow';\n")).toHaveLength(1);
    expect(await boundaryErrors('src/app/probe.ts', "export { useWaitingRoom } from '../features/waiting-room';\n")).toEqual([]);
  });

  it('lets a feature use another through its index', async () => {
    expect(await boundaryErrors('src/features/events/probe.ts', "export { SeatSelectorPage } from '../seat-map';\n")).toEqual([]);
  });

  it('refuses shared code importing a feature, and features importing the app', async () => {
    expect(await boundaryErrors('src/lib/probe.ts', "export { useMe } from '../features/auth';\n")).toHaveLength(1);
    expect(await boundaryErrors('src/features/auth/probe.ts', "export { queryClient } from '../../app/queryClient';\n")).toHaveLength(1);
  });
});

describe('one date format (eslint.config.js)', () => {
  const dates = new ESLint({ ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-properties' });

  it("refuses a page's own date format", async () => {
    const [result] = await dates.lintText('export const at = new Date().toLocaleString();\n', { filePath: 'src/features/console/probe.ts' });
    expect(result.messages.map((m) => m.message)).toEqual([expect.stringContaining('formatDate')]);
  });
});
