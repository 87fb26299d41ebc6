// Builds the y-webrtc comparison page (bench/y-webrtc-page) outside the repository's tracked
// tree: node_modules/.cache/meshpad-bench/y-webrtc-page (override with BENCH_YWEBRTC_OUT).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
export const outDir = process.env.BENCH_YWEBRTC_OUT ?? join(repo, 'node_modules', '.cache', 'meshpad-bench', 'y-webrtc-page');

export default defineConfig({
  root: here,
  publicDir: false,
  // simple-peer / lib0 code paths that test for Node globals.
  define: { global: 'globalThis' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
    rollupOptions: { input: { index: join(here, 'index.html'), blank: join(here, 'blank.html') } },
  },
  logLevel: 'warn',
});
