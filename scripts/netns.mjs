#!/usr/bin/env node
// Run a command inside a fresh, loopback-only network namespace, so that nothing it (or its
// children: Playwright, Chromium, wrangler, coturn) sends can leave `lo` — in particular no ICE
// traffic on the machine's real interfaces.
//
//   node scripts/netns.mjs <cmd> [args...]
//
// Strategy (first that works):
//   1. MESHPAD_NETNS=1 already set (we are inside one): run directly.
//      MESHPAD_NETNS=0: isolation explicitly off / already found unavailable: run directly.
//   2. `unshare -n`  (root / CAP_SYS_ADMIN), then `ip link set lo up`, then exec the command.
//   3. `unshare -rn` (unprivileged user namespace mapped to root, where the kernel allows it).
//   4. Run directly, with a warning (ICE may then use non-loopback interfaces).
// Each candidate is probed by actually bringing `lo` up in a throwaway namespace, which also
// catches kernels/AppArmor profiles that allow `unshare -r` but deny the capabilities inside.
// The child gets MESHPAD_NETNS=1 (isolated) or MESHPAD_NETNS=0 (not isolated).
// Exit code and signals (SIGINT/SIGTERM/SIGHUP) are propagated.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants, tmpdir } from 'node:os';

/** Find an executable on PATH, plus the sbin dirs a normal user's PATH often lacks on Debian. */
export function which(/** @type {string} */ name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * A shell snippet that brings `lo` up with whatever tool exists, then execs "$@".
 * @returns {string | null}
 */
function loUpScript() {
  const ip = which('ip');
  if (ip) return `'${ip}' link set lo up && exec "$@"`;
  const ifconfig = which('ifconfig');
  if (ifconfig) return `'${ifconfig}' lo up && exec "$@"`;
  const busybox = which('busybox');
  if (busybox) return `'${busybox}' ip link set lo up && exec "$@"`;
  return null;
}

/**
 * @typedef {{ mode: 'inherited' | 'root' | 'userns' | 'none', command: string, args: string[], reason?: string }} Plan
 */

/**
 * Decide how to run `cmd args` isolated.
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Plan}
 */
export function plan(cmd, args) {
  const env = process.env.MESHPAD_NETNS;
  if (env === '1') return { mode: 'inherited', command: cmd, args };
  if (env === '0') return { mode: 'none', command: cmd, args, reason: 'MESHPAD_NETNS=0' };
  if (process.platform !== 'linux') {
    return { mode: 'none', command: cmd, args, reason: `network namespaces need Linux (this is ${process.platform})` };
  }
  const unshare = which('unshare');
  if (!unshare) return { mode: 'none', command: cmd, args, reason: '`unshare` (util-linux) not found' };
  const script = loUpScript();
  if (!script) {
    return {
      mode: 'none',
      command: cmd,
      args,
      reason: 'no tool to bring `lo` up inside the namespace: install iproute2 (`ip`), net-tools or busybox',
    };
  }
  /** @type {Array<['root' | 'userns', string[]]>} */
  const candidates = [];
  if (typeof process.getuid === 'function' && process.getuid() === 0) candidates.push(['root', ['-n']]);
  candidates.push(['userns', ['-rn']]);
  const failures = [];
  for (const [mode, flags] of candidates) {
    const probe = spawnSync(unshare, [...flags, 'sh', '-c', script, 'sh', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (probe.status === 0) {
      return { mode, command: unshare, args: [...flags, 'sh', '-c', script, 'sh', cmd, ...args] };
    }
    failures.push(`unshare ${flags.join(' ')}: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`);
  }
  return { mode: 'none', command: cmd, args, reason: failures.join('; ') };
}

/**
 * @param {Plan['mode']} mode
 * @returns {NodeJS.ProcessEnv}
 */
function childEnv(mode) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, MESHPAD_NETNS: mode === 'none' ? '0' : '1' };
  // Inside `unshare -r` we appear as uid 0, so Playwright would use /tmp/playwright-transform-cache-0,
  // which may belong to the real root (EACCES). Key it by the real uid instead.
  if (mode === 'userns' && !env.PLAYWRIGHT_TRANSFORM_CACHE_DIR && typeof process.getuid === 'function') {
    env.PLAYWRIGHT_TRANSFORM_CACHE_DIR = join(tmpdir(), `playwright-transform-cache-${process.getuid()}`);
  }
  return env;
}

/**
 * Run `cmd args` in a loopback-only network namespace (see the header). Resolves to the exit
 * code (128 + signal number when the child died of a signal).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string }} [opts]
 * @returns {Promise<number>}
 */
export function runInNetns(cmd, args, opts = {}) {
  const p = plan(cmd, args);
  if (p.mode === 'none') {
    console.warn(
      `[netns] WARNING: running WITHOUT a private network namespace (${p.reason}).\n` +
        '[netns] WebRTC ICE may gather and use non-loopback interfaces of this machine.',
    );
  } else if (p.mode !== 'inherited') {
    console.log(`[netns] running in a loopback-only network namespace (${p.mode === 'root' ? 'unshare -n' : 'unshare -rn'})`);
  }
  return new Promise((resolvePromise) => {
    const child = spawn(p.command, p.args, {
      cwd: opts.cwd,
      stdio: 'inherit',
      env: childEnv(p.mode),
    });
    /** @type {Array<[NodeJS.Signals, () => void]>} */
    const handlers = [];
    for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
      const h = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      process.on(sig, h);
      handlers.push([sig, h]);
    }
    const done = (/** @type {number} */ code) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      resolvePromise(code);
    };
    child.on('error', (err) => {
      console.error(`[netns] cannot run ${p.command}: ${err.message}`);
      done(127);
    });
    child.on('exit', (code, signal) => {
      if (signal) done(128 + (osConstants.signals[signal] ?? 1));
      else done(code ?? 1);
    });
  });
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) {
    console.error('usage: node scripts/netns.mjs <cmd> [args...]');
    process.exit(2);
  }
  process.exitCode = await runInNetns(cmd, args);
}
