// Builds one of the two static web apps: `vite build -c src/apps/vite.config.ts --mode holder`
// (or `--mode scanner`) → dist/apps/<mode>/. `base: './'` keeps every URL relative, so the
// output runs from any path: /holder/ on the issuer, or a plain static host.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './service-worker-plugin.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const APPS = ['holder', 'scanner'] as const;

export default defineConfig(({ mode }) => {
  const app = APPS.find((a) => a === mode);
  if (!app) throw new Error(`--mode must be one of ${APPS.join(', ')} (got "${mode}")`);
  return {
    root: resolve(here, app),
    base: './',
    envPrefix: 'VAXPASS_',
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: resolve(here, '../../dist/apps', app),
      emptyOutDir: true,
      target: 'es2022',
      // The zxing .wasm must stay a separate, self-hosted file (never inlined as base64).
      assetsInlineLimit: 0,
      reportCompressedSize: false,
    },
    // The scanner's QR decoder worker loads its decoders lazily (dynamic import): ES module workers
    // can split chunks, the default IIFE format cannot.
    worker: { format: 'es' as const },
    plugins: [serviceWorkerPlugin(app)],
  };
});
