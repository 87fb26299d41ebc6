#!/usr/bin/env node
// A coturn TURN server for the tests (TURN fallback e2e), on 127.0.0.1 only.
// Short-lived credentials (TURN REST API): coturn runs with `--use-auth-secret
// --static-auth-secret=$TURN_SECRET`, and the signaling worker mints matching credentials at
// GET /api/ice-servers when it has TURN_URLS and the same TURN_SECRET (see scripts/serve.mjs).
//
//   TURN_SECRET  (required) the shared secret
//   TURN_PORT    (default 3478) UDP and TCP listening port
//
// Forwards SIGINT/SIGTERM/SIGHUP to coturn and removes its temporary directory on exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './netns.mjs';

const secret = process.env.TURN_SECRET;
const port = process.env.TURN_PORT ?? '3478';

if (!secret) {
  console.error('[turn] TURN_SECRET is not set: it must equal the TURN_SECRET given to the signaling worker');
  process.exit(2);
}
const bin = which('turnserver');
if (!bin) {
  console.error('[turn] `turnserver` (coturn) not found on PATH, /usr/sbin or /sbin — install it: `apt-get install coturn`');
  process.exit(1);
}

/**
 * Temp dirs of earlier runs whose server was SIGKILLed (no chance to clean up): named with the
 * owning pid, removed when that process no longer exists.
 */
function sweepStaleDirs() {
  for (const name of readdirSync(tmpdir())) {
    const m = /^meshpad-turn-(\d+)-/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}
sweepStaleDirs();

const dir = mkdtempSync(join(tmpdir(), `meshpad-turn-${process.pid}-`));
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  rmSync(dir, { recursive: true, force: true });
};

const args = [
  '-n', // no config file
  '--listening-ip=127.0.0.1',
  '--relay-ip=127.0.0.1',
  `--listening-port=${port}`,
  '--use-auth-secret',
  `--static-auth-secret=${secret}`,
  '--realm=meshpad.test',
  '--fingerprint',
  '--no-tls',
  '--no-dtls',
  '--no-cli',
  // Peers are on 127.0.0.1 too; without this coturn answers 403 Forbidden IP.
  '--allow-loopback-peers',
  '--no-multicast-peers',
  '--min-port=49160',
  '--max-port=49300',
  `--userdb=${join(dir, 'turndb')}`,
  `--pidfile=${join(dir, 'turn.pid')}`,
  '--log-file=stdout',
  '--simple-log',
];

console.log(`[turn] starting coturn on 127.0.0.1:${port} (udp+tcp), state in ${dir}`);
const child = spawn(bin, args, { stdio: 'inherit' });

const forward = (/** @type {NodeJS.Signals} */ sig) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
};
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => forward(sig));
}
process.on('exit', cleanup);

child.on('error', (err) => {
  console.error(`[turn] failed to start ${bin}: ${err.message}`);
  cleanup();
  process.exit(1);
});
child.on('exit', (code, signal) => {
  cleanup();
  if (signal) process.exit(128 + (osConstants.signals[signal] ?? 1));
  process.exit(code ?? 1);
});
