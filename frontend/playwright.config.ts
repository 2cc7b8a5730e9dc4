import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 8765);
const baseURL = `http://127.0.0.1:${PORT}`;
/** Must match CORS_ALLOWED_ORIGINS in e2e/e2e.env and the API URL of `npm run build:cross-e2e`. */
const CROSS_PORT = Number(process.env.E2E_CROSS_PORT ?? 4174);
export const CROSS_ORIGIN = `http://127.0.0.1:${CROSS_PORT}`;

/**
 * End-to-end in Debian's Chromium (a test tool's own browser download cannot work here),
 * against the real server on the full stack that e2e/server.sh starts with a fresh database.
 * Its headless shell, as Playwright's own headless runs use: the same Blink and V8 without the
 * desktop browser around them (the run: 335-354 CPU-s and 215-226 s, against 480-503 and
 * 282-292 in the whole browser).
 */
const CHROMIUM = { browserName: 'chromium' as const, viewport: { width: 1360, height: 900 } };

export default defineConfig({
  testDir: './e2e',
  // The tests share one server and its sweeper, and each makes its own event (and its own
  // browser contexts): any three run at once, of one file or more. Much of a test is waiting (on
  // pushes, on holds that run out): with two the two cores were 77 % busy.
  workers: Number(process.env.E2E_WORKERS ?? 3),
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  // A test that breaks now and then is mended, never retried (issue 57).
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 8_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    // A failed test keeps its trace's actions, console and network, and a screenshot; a DOM
    // snapshot at every action cost 12 % of the run's CPU (566 against 480-503 CPU-s).
    trace: { mode: 'retain-on-failure', snapshots: false, screenshots: false },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'chromium', grepInvert: /@timed/, use: CHROMIUM },
    // A test that times the page against a budget runs after the others, alone: beside two
    // others, the arena's List view took past its 600 ms.
    { name: 'timed', grep: /@timed/, dependencies: ['chromium'], workers: 1, use: CHROMIUM },
  ],
  webServer: [
    {
      // The shipped server (uvicorn, config/server.py) serving the API, the socket and the same-origin build (dist/).
      command: 'bash e2e/server.sh',
      url: `${baseURL}/api/health/live/`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: process.env.E2E_SERVER_LOG ? 'pipe' : 'ignore',
      stderr: 'pipe',
      env: { E2E_PORT: String(PORT), E2E_CROSS_PORT: String(CROSS_PORT) },
    },
    {
      // The static build for another origin (dist-cross/, VITE_API_URL pointing at the server above).
      command: `npx vite preview --outDir dist-cross --host 127.0.0.1 --port ${CROSS_PORT} --strictPort`,
      url: CROSS_ORIGIN,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
