/// <reference types="node" />
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFromFile } from 'json-schema-to-typescript';
import { describe, expect, it } from 'vitest';
import { CLOSE_POLICIES } from './close-codes';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, '../../../realtime/protocol.schema.json');
const pkg = JSON.parse(fs.readFileSync(path.resolve(here, '../../package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('protocol-types.ts', () => {
  it('is what json-schema-to-typescript makes of realtime/protocol.schema.json (regenerate: npm run gen:protocol)', async () => {
    const banner = /--bannerComment "([^"]*)"/.exec(pkg.scripts['gen:protocol'])?.[1] ?? '';
    // The same options as `npm run gen:protocol`.
    const made = await compileFromFile(schemaPath, { unreachableDefinitions: true, format: false, bannerComment: banner });
    expect(fs.readFileSync(path.join(here, 'protocol-types.ts'), 'utf8')).toBe(made);
  });

  it('has a policy for every close code the protocol names, and none it does not', () => {
    const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as {
      $defs: { CloseCode: { enum: number[] } };
    };
    const policies = Object.keys(CLOSE_POLICIES).map(Number).sort();
    expect(policies).toEqual([...schema.$defs.CloseCode.enum].sort());
  });
});
