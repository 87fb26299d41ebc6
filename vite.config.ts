import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { PROTOCOL_VERSION } from './web/src/net/protocol.ts';

// The PWA lives in web/; the build lands in dist/, which wrangler serves as static assets.
// In `npm run dev`, Vite proxies /api (HTTP and WebSocket) to `wrangler dev`.
const workerOrigin = process.env.MESHPAD_WORKER_ORIGIN ?? 'http://127.0.0.1:8787';

/**
 * main.ts evaluates the UI chunk only after first contact (web/src/sync/first-contact.ts); this
 * `<link rel="modulepreload">` lets the browser download and compile it meanwhile.
 */
function preloadUiChunk(): Plugin {
  return {
    name: 'meshpad-preload-ui-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && (c.facadeModuleId ?? '').endsWith('/web/src/ui/app-shell.ts'),
        );
        if (!chunk) throw new Error('preloadUiChunk: no chunk for web/src/ui/app-shell.ts');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `/${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

/** index.html's early join says hello in the protocol version of this build. */
function protocolVersionInHtml(): Plugin {
  return {
    name: 'meshpad-protocol-version-in-html',
    transformIndexHtml: (html) => html.replaceAll('%MESHPAD_PROTOCOL_VERSION%', String(PROTOCOL_VERSION)),
  };
}

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  // The files block worker is a module worker (web/src/files/block-worker.ts) that loads hash-wasm on demand.
  worker: { format: 'es' },
  plugins: [
    preloadUiChunk(),
    protocolVersionInHtml(),
    // Workbox service worker generated at build time: precaches the app shell and assets, and
    // answers navigations (e.g. /r/<id> opened offline) with index.html. /api is never cached.
    // Registration and the update prompt are ours (web/src/ui/service-worker.ts, workbox-window).
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false, // public/manifest.webmanifest
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
    }),
  ],
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: workerOrigin, ws: true } },
  },
});
