import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const here = path.dirname(fileURLToPath(import.meta.url));

// Read from the folder, so a new feature is fenced in without editing this file.
const features = fs
  .readdirSync(path.join(here, 'src/features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * bulletproof-react's boundaries: a feature reaches another only through its `index.ts`; the
 * shared layers (`lib/`, `components/`, `test/`) know no feature; nothing below `app/` imports it.
 */
const boundaries = [
  ...features.flatMap((feature) =>
    features
      .filter((other) => other !== feature)
      .map((other) => ({
        target: `./src/features/${feature}`,
        from: `./src/features/${other}`,
        except: ['./index.ts'],
        message: `A feature imports "${other}" only through its index.ts.`,
      })),
  ),
  ...features.map((feature) => ({
    target: './src/app',
    from: `./src/features/${feature}`,
    except: ['./index.ts'],
    message: `The app imports "${feature}" only through its index.ts.`,
  })),
  {
    target: ['./src/lib', './src/components', './src/test'],
    from: ['./src/features', './src/app'],
    message: 'Shared code does not know the features or the app.',
  },
  {
    target: './src/features',
    from: './src/app',
    message: 'Features do not import the app; the app composes them.',
  },
];

export default tseslint.config(
  { ignores: ['dist', 'dist-cross', 'node_modules', 'test-results', 'playwright-report', 'src/lib/api-types.ts', 'src/lib/protocol-types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { import: importPlugin },
    settings: {
      // Without these the import rules read only .js files, and no-cycle sees no cycle.
      'import/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
    },
    rules: {
      'import/no-restricted-paths': ['error', { zones: boundaries }],
      'import/no-cycle': 'error',
      'import/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The React code; e2e/ has Playwright fixtures, whose `use` is no React hook.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // One date format on every page, the buyer's and the console's (issue 55); a test may
    // write what a browser shows to compare.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString'].map((property) => ({
          property,
          message: 'Write dates with formatDate or formatClockTime (src/lib/format.ts).',
        })),
      ],
    },
  },
  {
    files: ['e2e/**', 'scripts/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
