/**
 * Worker tests, run inside workerd by @cloudflare/vitest-pool-workers:
 *   npx vitest run --config signaling-worker/vitest.config.ts   (npm run test:worker)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Keep Vite's cache in the root node_modules rather than signaling-worker/node_modules.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/signaling-worker', import.meta.url)),
  plugins: [
    cloudflareTest(() => {
      // wrangler.toml serves ./dist as assets and refuses to start if that directory is
      // missing (it only exists after `vite build`). The API tests need no assets, so make
      // sure an (empty) dist/ exists rather than keeping a second wrangler config in sync.
      mkdirSync(fileURLToPath(new URL('../dist', import.meta.url)), { recursive: true });
      return {
        wrangler: { configPath: fileURLToPath(new URL('../wrangler.toml', import.meta.url)) },
        // ICE settings are secrets in production (never in wrangler.toml); the route tests
        // need a TURN configuration, so provide one here. Keep in sync with TEST_ICE_ENV in
        // test/ice-servers.test.ts.
        miniflare: {
          bindings: {
            STUN_URLS: 'stun:stun.example.test:3478, ftp://dropped.example.test',
            TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turns:turn.example.test:5349',
            TURN_SECRET: 'test-turn-secret',
            TURN_TTL_SECONDS: '600',
            // Invite tests ask for short code lifetimes and read the audit log (test/invites.test.ts).
            INVITE_TEST_HOOKS: '1',
          },
        },
      };
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
  },
});
