/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the API for a build hosted elsewhere, e.g. http://127.0.0.1:8000. Unset: same origin. */
  readonly VITE_API_URL?: string;
  /** '1' in the e2e and measurement builds only: the canvas's test probe (`canvasProbe.ts`). */
  readonly VITE_SEATMAP_PROBES?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
