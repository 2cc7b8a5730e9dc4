import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Dev server proxies the API and the socket to a local Django (`make run` on :8000),
// so `npm run dev` behaves like the same-origin build Django serves.
const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    // Isolation cost ~55 CPU-s (user+sys) against ~21 without; src/test/setup.ts keeps files apart.
    isolate: false,
    setupFiles: ['src/test/setup.ts'],
    // The component tests ask the canvas where it drew a seat, as the e2e suite does.
    env: { VITE_SEATMAP_PROBES: '1' },
    // `make test` runs Vitest beside pytest's workers on two cores: a test that spawns a tool
    // (api-types.test.ts) or waits for animation frames took over Vitest's 5 s there.
    testTimeout: 30_000,
  },
});
