import { defineConfig } from 'vite';

// The PWA lives in web/; the build lands in dist/, which wrangler serves as static assets.
// In `npm run dev`, Vite proxies /api (HTTP and WebSocket) to `wrangler dev`.
const workerOrigin = process.env.MESHPAD_WORKER_ORIGIN ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: workerOrigin, ws: true } },
  },
});
