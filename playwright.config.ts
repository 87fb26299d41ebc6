import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { CHROMIUM_ARGS, EXECUTABLE_PATH } from './e2e/chromium.ts';

/**
 * End-to-end tests: Chromium against `wrangler dev --local` (dist/ + the signaling worker).
 * Run through `node scripts/netns.mjs npx playwright test` (npm test / npm run test:e2e) so that
 * Playwright, Chromium and the web servers share one loopback-only network namespace.
 */

const PORT = Number(process.env.E2E_PORT ?? 8790);
const BASE_URL = `http://127.0.0.1:${PORT}`;

if (process.env.MESHPAD_NETNS !== '1' && !process.env.E2E_QUIET) {
  console.warn(
    '[e2e] not inside a loopback-only network namespace: prefer `npm run test:e2e` ' +
      '(node scripts/netns.mjs npx playwright test).',
  );
}

/**
 * TURN relay for the fallback test (e2e/reconnection.spec.ts): coturn on loopback with the TURN
 * REST API (`--use-auth-secret`), and the worker minting matching credentials. The secret is a
 * fixture of this local, loopback-only test setup, not a credential of any deployment.
 */
const TURN_PORT = Number(process.env.E2E_TURN_PORT ?? 3478);
const TEST_ONLY_TURN_SECRET = 'meshpad-e2e-test-only-turn-secret';
const TURN_URLS = `turn:127.0.0.1:${TURN_PORT}?transport=udp`;
const TURN_ENV = { TURN_URLS, TURN_SECRET: TEST_ONLY_TURN_SECRET };

/** Servers started (inside the namespace) before the tests: the app + signaling worker, and coturn. */
const webServers: NonNullable<PlaywrightTestConfig['webServer']> = [
  {
    command: 'node scripts/serve.mjs',
    url: `${BASE_URL}/api/health`,
    // INVITE_TEST_HOOKS: the invite specs read the worker's audit log and ask for short code lifetimes.
    env: { PORT: String(PORT), ...TURN_ENV, INVITE_TEST_HOOKS: '1' },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // SIGTERM first (the scripts forward it and clean up), SIGKILL only if that hangs.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
  {
    command: 'node scripts/turn-server.mjs',
    // coturn listens on TCP as well as UDP: Playwright's port check connects over TCP.
    port: TURN_PORT,
    env: { TURN_SECRET: TEST_ONLY_TURN_SECRET, TURN_PORT: String(TURN_PORT) },
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // SIGTERM first (the scripts forward it and clean up), SIGKILL only if that hangs.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
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
  // The digest: a few lines per failure, printed last by .ci/run (see the reporter's comment).
  reporter: [['list'], ['./e2e/failure-digest-reporter.ts']],
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
    launchOptions: {
      ...(EXECUTABLE_PATH ? { executablePath: EXECUTABLE_PATH } : {}),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: webServers,
});
