#!/usr/bin/env node
// Serves ./dist (static assets) and the signaling worker (/api/*) with `wrangler dev --local`.
// Used by `npm start` and by Playwright's webServer. Listens on 127.0.0.1 only.
//   PORT (default 8787)
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

const child = spawn(bin, ['dev', '--local', '--ip', '127.0.0.1', '--port', port], {
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
