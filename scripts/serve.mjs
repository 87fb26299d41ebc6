#!/usr/bin/env node
// Serves ./dist (static assets) and the signaling worker (/api/*) with `wrangler dev --local`.
// Used by `npm start` and by Playwright's webServer. Listens on 127.0.0.1 only.
//   PORT (default 8787)
//   TURN_URLS, TURN_SECRET (optional): passed to the worker as `--var` so GET /api/ice-servers
//     offers a TURN relay with short-lived credentials (tests: scripts/turn-server.mjs).
//   STUN_URLS, TURN_TTL_SECONDS (optional): passed the same way when set.
//   INVITE_TEST_HOOKS (tests only): "1" enables the invite service's audit log and short TTLs.
//   WRANGLER_PERSIST_TO (optional): `--persist-to` directory for local state (Durable Objects);
//     default: wrangler's own (.wrangler/state). Tests that restart a server reuse one directory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '8787';
const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler');

if (!existsSync(bin)) {
  console.error(`[serve] ${bin} not found — run \`npm ci\` first`);
  process.exit(1);
}
if (!existsSync(join(root, 'dist'))) {
  console.warn('[serve] ./dist does not exist — run `npm run build` first');
}

/** `--var NAME:value` for each optional worker variable set in our environment. */
const vars = ['STUN_URLS', 'TURN_URLS', 'TURN_SECRET', 'TURN_TTL_SECONDS', 'INVITE_TEST_HOOKS'].flatMap((name) => {
  const value = process.env[name];
  return value ? ['--var', `${name}:${value}`] : [];
});
if (process.env.TURN_URLS && !process.env.TURN_SECRET) console.warn('[serve] TURN_URLS without TURN_SECRET: no TURN relay is offered');

const persist = process.env.WRANGLER_PERSIST_TO ? ['--persist-to', process.env.WRANGLER_PERSIST_TO] : [];

const child = spawn(bin, ['dev', '--local', '--ip', '127.0.0.1', '--port', port, ...persist, ...vars], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
});

const forward = (/** @type {NodeJS.Signals} */ sig) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
};
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => forward(sig));
}

child.on('error', (err) => {
  console.error(`[serve] failed to start wrangler: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Exit like the child did (128 + signal number) without re-raising through our handlers.
    process.exit(128 + (osConstants.signals[signal] ?? 1));
  }
  process.exit(code ?? 1);
});
