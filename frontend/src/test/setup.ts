import { vi } from 'vitest';

// Runs before each test file, ahead of its imports. Without isolation (vite.config.ts) a worker
// keeps the modules earlier files imported, still bound to what those files' vi.mock put in place
// of their imports, or to the real modules where this file mocks them (and a shared testbed's own
// vi.mock calls ran for the first file only). So each file imports the app's modules afresh.
vi.resetModules();
