import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Chromium against `wrangler dev --local` (dist/ + the signaling worker).
 * Run through `node scripts/netns.mjs npx playwright test` (npm test / npm run test:e2e) so that
 * Playwright, Chromium and the web servers share one loopback-only network namespace.
 */

const PORT = Number(process.env.E2E_PORT ?? 8790);
const BASE_URL = `http://127.0.0.1:${PORT}`;

/** Debian's chromium when present (Playwright cannot download browsers here), else Playwright's own. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);

if (process.env.MESHPAD_NETNS !== '1' && !process.env.E2E_QUIET) {
  console.warn(
    '[e2e] not inside a loopback-only network namespace: prefer `npm run test:e2e` ' +
      '(node scripts/netns.mjs npx playwright test).',
  );
}

const CHROMIUM_ARGS = [
  // Without it Chromium offers no loopback ICE candidates (with media permission granted too).
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Servers started (inside the namespace) before the tests. An array so that more can be added,
 * e.g. coturn: `{ command: 'turnserver …', port: 3478, reuseExistingServer: false }`.
 */
const webServers = [
  {
    command: 'node scripts/serve.mjs',
    url: `${BASE_URL}/api/health`,
    env: { PORT: String(PORT) },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  },
];

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  // A flaky test must be fixed, not retried.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: webServers,
});
