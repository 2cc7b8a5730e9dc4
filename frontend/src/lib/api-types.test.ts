/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../node_modules/openapi-typescript/bin/cli.js');

describe('api-types.ts', () => {
  it('is what openapi-typescript makes of the committed api-schema.yaml (regenerate: npm run gen:api)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-types-')), 'api-types.ts');
    // The same command as `npm run gen:api`, written elsewhere.
    execFileSync(process.execPath, [cli, path.join(here, 'api-schema.yaml'), '--output', out], { stdio: 'pipe' });
    expect(fs.readFileSync(path.join(here, 'api-types.ts'), 'utf8')).toBe(fs.readFileSync(out, 'utf8'));
  });
});
