#!/usr/bin/env node
// Meshpad vs y-webrtc benchmark (`npm run bench`; not part of `npm test`).
//
// One headless Chromium (one context per peer), the same run, the two stacks alternated:
//   Meshpad  — dist/ served with the signaling worker by `node scripts/serve.mjs`
//   y-webrtc — bench/y-webrtc-page (Yjs + the same CodeMirror 6 setup + y-webrtc's WebrtcProvider)
//              against y-webrtc's own signaling server (node_modules/y-webrtc/bin/server.js)
// Everything runs inside a loopback-only network namespace (scripts/netns.mjs): the script
// re-executes itself there unless MESHPAD_NETNS is set.
//
// Figures (see bench/README.md): P1 connect, P2 keystroke latency (2 and 8 peers), P5 resync
// after 5,000 + 5,000 offline edits, P6 reconnect after a closed RTCPeerConnection, raw
// RTCDataChannel throughput. Writes bench/results/<ISO date-time>.json and prints a table.
//
// Options:
//   --no-build          do not run `vite build` (Meshpad) / rebuild the y-webrtc page if built
//   --quick             few repetitions (smoke test of the harness; figures not meaningful)
//   --only=p1,p2,p2x8,p5,p6,tp,p9,files   run only these figures (p9: cursor frames, bench/lib/cursor-bench.mjs;
//                       files: P3/P4, bench/lib/files-bench.mjs)
//   --files-mb=N        P3/P4 file size in MB (default 256)
//   --files-p3-only     files: P3 (throughput, receiver memory) without the P4 runs
//   --files-link-mbit=N files: the P3 control with loopback capped at N Mbit/s (default 80; 0: off)
//   --yw-awareness      y-webrtc pages show each other's carets through y-webrtc's awareness
//                       (Meshpad always shows remote carets; off by default, as in earlier runs)
//   --yw-static=node    serve the y-webrtc page from a plain Node server (no compression) instead
//                       of `wrangler dev` (an assets-only worker), which serves Meshpad's pages
//   --reps=N            repetitions of P1, P5, P6 per stack (default 5)
//   --keys=N            P2 keystrokes per stack, 2 peers (default 500)
//   --keys8=N           P2 keystrokes per stack, 8 peers (default 500)
//   --p6-timeout=MS     P6: give up on one recovery after MS (default 10000)
//   --wait-idle=N       wait up to N × 20 s for other Chromium processes to end (default 6)
//   --out=DIR           results directory (default bench/results)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const argv = process.argv.slice(2);

// ---------- 0. into the loopback-only namespace ----------
if (process.env.MESHPAD_NETNS === undefined) {
  const { runInNetns } = await import('../scripts/netns.mjs');
  process.exit(await runInNetns(process.execPath, [fileURLToPath(import.meta.url), ...argv], { cwd: repo }));
}

const { chromium } = await import('@playwright/test');
const { pageInit } = await import('./lib/page-init.mjs');
const { summarize, ratio } = await import('./lib/stats.mjs');
const { figureP9 } = await import('./lib/cursor-bench.mjs');
const { figureP1 } = await import('./lib/p1-bench.mjs');
const { startWhenQuiet } = await import('./lib/machine-quiet.mjs');
const { cpuSeconds, cpuSnapshot, cpuSpent, cpuSpentByThread } = await import('./lib/process-cpu.mjs');

// ---------- options ----------
const opt = (/** @type {string} */ name) => {
  const hit = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : true;
};
const known = ['yw-awareness', 'yw-static', 'files-mb', 'files-p3-only', 'files-link-mbit', 'no-build', 'quick', 'only', 'reps', 'keys', 'keys8', 'p5-edits', 'p6-timeout', 'wait-idle', 'out', 'help'];
for (const a of argv) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) {
    console.error(`[bench] unknown argument ${a}; see the header of bench/run.mjs`);
    process.exit(2);
  }
}
if (opt('help')) {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).join('\n'));
  process.exit(0);
}
const quick = opt('quick') === true;
const num = (/** @type {string} */ name, /** @type {number} */ dflt, min = 1) => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`[bench] --${name} needs an integer ≥ ${min}`);
    process.exit(2);
  }
  return n;
};
const CFG = {
  build: opt('no-build') !== true,
  ywAwareness: opt('yw-awareness') === true,
  /** What serves the y-webrtc page: `wrangler dev` like Meshpad's pages (default), or a plain Node server. */
  ywStatic: /** @type {'node' | 'wrangler'} */ (opt('yw-static') ?? 'wrangler'),
  only: typeof opt('only') === 'string' ? String(opt('only')).split(',') : ['p1', 'p2', 'p2x8', 'p5', 'p6', 'tp', 'p9', 'files'],
  filesMb: num('files-mb', quick ? 32 : 256),
  filesP3Only: opt('files-p3-only') === true,
  filesLinkMbit: num('files-link-mbit', 80, 0),
  reps: num('reps', quick ? 2 : 5),
  keys: num('keys', quick ? 40 : 500),
  keys8: num('keys8', quick ? 40 : 500),
  /** Keystrokes per alternation block (2 peers); the 8-peer mesh is opened twice per stack. */
  keyBlock: quick ? 20 : 100,
  rounds8: 2,
  gapMs: 20,
  gap8Ms: 30,
  p5Edits: num('p5-edits', quick ? 500 : 5000),
  p6TimeoutMs: num('p6-timeout', 10_000),
  tpReps: quick ? 1 : 3,
  tpBytes: 64 * 1024 * 1024,
  tpChunk: 64 * 1024,
  tpHighWater: 8 * 1024 * 1024,
  tpLowWater: 4 * 1024 * 1024,
  waitIdle: num('wait-idle', 6, 0),
  outDir: typeof opt('out') === 'string' ? resolve(String(opt('out'))) : join(repo, 'bench', 'results'),
  /** Hard limit of the whole run (the bench aims at < 10 min). */
  watchdogMs: 25 * 60_000,
};
if (CFG.ywStatic !== 'node' && CFG.ywStatic !== 'wrangler') {
  console.error('[bench] --yw-static: node or wrangler');
  process.exit(2);
}
for (const f of CFG.only) {
  if (!['p1', 'p2', 'p2x8', 'p5', 'p6', 'tp', 'p9', 'files'].includes(f)) {
    console.error(`[bench] --only: unknown figure ${f}`);
    process.exit(2);
  }
}
const runs = (/** @type {string} */ f) => CFG.only.includes(f);

const CHROMIUM = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const CHROMIUM_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Many pages at once: none of them may be throttled as a background page.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
const YW_OUT = process.env.BENCH_YWEBRTC_OUT ?? join(repo, 'node_modules', '.cache', 'meshpad-bench', 'y-webrtc-page');

const log = (/** @type {string} */ msg) => console.log(`[bench ${((performance.now() - T_START) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const T_START = performance.now();
const rid = () => randomBytes(16).toString('base64url');

// ---------- process management ----------
/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
/** @type {import('playwright-core').Browser | null} */
let browser = null;
/** @type {import('node:http').Server | null} */
let staticServer = null;
let cleaningUp = null;
/** wrangler's local state (Durable Objects) of this run; removed at the end. */
const persist = join(os.tmpdir(), `meshpad-bench-wrangler-${process.pid}`);
/** Working directory (and local state) of the y-webrtc page's `wrangler dev`; removed at the end. */
const ywPageDir = join(os.tmpdir(), `meshpad-bench-ywpage-${process.pid}`);

/** Start `cmd` detached (own process group), keeping the last lines of its output. */
function startDetached(/** @type {string} */ name, /** @type {string} */ cmd, /** @type {string[]} */ args, /** @type {Record<string,string>} */ env, cwd = repo) {
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  /** @type {string[]} */
  const tail = [];
  const keep = (/** @type {Buffer} */ b) => {
    for (const line of b.toString().split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!cleaningUp) log(`${name} exited (${signal ?? code}); last output:\n  ${tail.join('\n  ')}`);
  });
  children.push(child);
  return { child, tail };
}

async function killGroup(/** @type {import('node:child_process').ChildProcess} */ child) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 30 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    if (browser) await Promise.race([browser.close().catch(() => undefined), sleep(10_000)]);
    staticServer?.close();
    staticServer?.closeAllConnections?.();
    await Promise.all(children.map(killGroup));
    rmSync(persist, { recursive: true, force: true });
    rmSync(ywPageDir, { recursive: true, force: true });
  })();
  return cleaningUp;
}

for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`watchdog: the bench exceeded ${CFG.watchdogMs / 60_000} min; stopping`);
  void cleanup().finally(() => process.exit(3));
}, CFG.watchdogMs);
watchdog.unref();

/**
 * `n` distinct free loopback ports, all held open at once and then released: asked one at a time,
 * the kernel can hand out the same port twice (seen: Meshpad's and y-webrtc's servers both given
 * one port, the second to start then failing to bind).
 */
async function freePorts(/** @type {number} */ n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      /** @type {Promise<import('node:net').Server>} */ (
        new Promise((resolveServer, reject) => {
          const srv = createNetServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolveServer(srv));
        })
      ),
    ),
  );
  const ports = servers.map((srv) => {
    const addr = srv.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise((done) => srv.close(() => done(undefined)))));
  return ports;
}

async function waitHttp(/** @type {string} */ url, /** @type {number} */ timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not reachable within ${timeoutMs} ms`);
}

function run(/** @type {string} */ cmd, /** @type {string[]} */ args, /** @type {number} */ timeoutMs) {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit', timeout: timeoutMs, env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`})`);
}

/**
 * The y-webrtc page served like Meshpad's: by `wrangler dev` (an assets-only worker, run from an
 * empty directory so it ignores our wrangler.toml), which compresses every response on the fly
 * and passes it through two workerd processes. Returns its origin.
 */
async function startYwPageWorker(/** @type {number} */ port, /** @type {number} */ inspectorPort) {
  mkdirSync(ywPageDir, { recursive: true });
  const bin = join(repo, 'node_modules', '.bin', 'wrangler');
  // Its own inspector port: the Meshpad server's wrangler takes the default one.
  const args = ['dev', '--assets', YW_OUT, '--name', 'meshpad-bench-ywebrtc-page', '--compatibility-date', '2026-04-01', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)];
  startDetached('y-webrtc page server', bin, args, { CI: 'true', WRANGLER_SEND_METRICS: 'false' }, ywPageDir);
  return `http://127.0.0.1:${port}`;
}

/** Static server for the blank page of the throughput test (and the y-webrtc page with --yw-static=node). */
async function serveStatic(/** @type {string} */ root) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = resolve(root, '.' + (path === '/' ? '/index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[/** @type {keyof types} */ (extname(file))] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(undefined)));
  staticServer = server;
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

// ---------- contention ----------
/** Pids of this process's descendants (our own Chromium, servers). */
function ourPids() {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  /** @type {Map<number, number[]>} */
  const kids = new Map();
  for (const line of ps.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid)?.push(pid);
  }
  const mine = new Set([process.pid]);
  const stack = [process.pid];
  while (stack.length) for (const k of kids.get(/** @type {number} */ (stack.pop())) ?? []) if (!mine.has(k)) (mine.add(k), stack.push(k));
  return mine;
}

/**
 * Chromium processes of other users of this machine (e.g. a parallel Playwright run). Only
 * `chromium` itself: crashpad handlers re-parent to init, so ours would look foreign.
 */
function otherChromium() {
  const ps = spawnSync('ps', ['-eo', 'pid=,comm='], { encoding: 'utf8' }).stdout ?? '';
  const mine = ourPids();
  return ps
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, comm]) => comm === 'chromium' && !mine.has(Number(pid))).length;
}

const contention = {
  otherChromiumAtStart: 0,
  waitedS: 0,
  samples: 0,
  samplesWithOtherChromium: 0,
  maxOtherChromium: 0,
  maxLoad1: 0,
  /** @type {Record<string, { samples: number, withOtherChromium: number, maxLoad1: number }>} */
  byPhase: {},
};
let phase = 'setup';
function sampleContention() {
  const others = otherChromium();
  const load = os.loadavg()[0];
  contention.samples++;
  if (others > 0) contention.samplesWithOtherChromium++;
  contention.maxOtherChromium = Math.max(contention.maxOtherChromium, others);
  contention.maxLoad1 = Math.max(contention.maxLoad1, Number(load.toFixed(2)));
  const p = (contention.byPhase[phase] ??= { samples: 0, withOtherChromium: 0, maxLoad1: 0 });
  p.samples++;
  if (others > 0) p.withOtherChromium++;
  p.maxLoad1 = Math.max(p.maxLoad1, Number(load.toFixed(2)));
}

// ---------- pages ----------
const STACKS = /** @type {const} */ (['meshpad', 'ywebrtc']);
const LABEL = { meshpad: 'Meshpad', ywebrtc: 'y-webrtc' };
/** @type {Record<string, { pageErrors: number, consoleErrors: number, examples: string[] }>} */
const pageProblems = { meshpad: { pageErrors: 0, consoleErrors: 0, examples: [] }, ywebrtc: { pageErrors: 0, consoleErrors: 0, examples: [] }, raw: { pageErrors: 0, consoleErrors: 0, examples: [] } };

/** @type {{ meshOrigin: string, ywOrigin: string, ywSignaling: string, staticOrigin: string }} */
let ORIGINS = { meshOrigin: '', ywOrigin: '', ywSignaling: '', staticOrigin: '' };

function roomUrl(/** @type {'meshpad'|'ywebrtc'} */ stack) {
  if (stack === 'meshpad') return `${ORIGINS.meshOrigin}/r/${rid()}#${rid()}`;
  return `${ORIGINS.ywOrigin}/?room=bench-${rid()}&signaling=${encodeURIComponent(ORIGINS.ywSignaling)}${CFG.ywAwareness ? '&awareness=1' : ''}`;
}

/**
 * @typedef {{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, stack: string, profileDir?: string }} Peer
 */
/**
 * A page in a context of the shared browser (off the record: storage in memory), or with
 * `persistent` in its own browser with a profile on disk (the files bench: off the record, OPFS
 * lives in memory and its quota ended a 1 GB transfer at ~1.4 GiB; see docs/decisions.md).
 */
async function newPeer(/** @type {string} */ stack, /** @type {{ p1Marker?: string, persistent?: boolean }} */ init = {}) {
  if (!browser) throw new Error('no browser');
  const options = { permissions: ['camera', 'microphone'], viewport: { width: 1000, height: 700 } };
  const profileDir = init.persistent ? mkdtempSync(join(os.tmpdir(), 'meshpad-bench-profile-')) : undefined;
  const context = profileDir
    ? await chromium.launchPersistentContext(profileDir, {
        headless: true,
        ...(CHROMIUM ? { executablePath: CHROMIUM } : {}),
        // Precise memory info: performance.memory otherwise returns coarse, cached values.
        args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
        ...options,
      })
    : await browser.newContext(options);
  await context.addInitScript(pageInit, { p1Marker: init.p1Marker ?? null });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = pageProblems[stack];
  page.on('pageerror', (err) => {
    problems.pageErrors++;
    if (problems.examples.length < 5) problems.examples.push(`pageerror: ${err.message.slice(0, 300)}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    problems.consoleErrors++;
    if (problems.examples.length < 5) problems.examples.push(`console.error: ${msg.text().slice(0, 300)}`);
  });
  return /** @type {Peer} */ ({ context, page, stack, profileDir });
}

async function closePeers(/** @type {Peer[]} */ peers) {
  await Promise.all(peers.map((p) => Promise.race([p.context.close().catch(() => undefined), sleep(10_000)])));
  for (const p of peers) if (p.profileDir) rmSync(p.profileDir, { recursive: true, force: true });
}

let gotoRetries = 0;
/** page.goto, retried (at most 3 attempts) when the server answers an error under load. */
async function gotoRetry(/** @type {Peer} */ peer, /** @type {string} */ url) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await peer.page.goto(url);
      if (res && !res.ok()) throw new Error(`HTTP ${res.status()} for ${url}`);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      gotoRetries++;
      log(`goto failed (${/** @type {Error} */ (err).message.split('\n')[0]}); retrying`);
      await sleep(500);
    }
  }
}

/** Each page's __bench.diag() (for failure reports). */
async function diag(/** @type {Peer[]} */ peers) {
  return Promise.all(peers.map((p) => p.page.evaluate(() => /** @type {any} */ (window).__bench?.diag()).catch((e) => `unavailable: ${e.message}`)));
}
/** @type {Array<{ figure: string, stack: string, error: string, pages: unknown }>} */
const failureReports = [];
async function reportFailure(/** @type {string} */ figure, /** @type {string} */ stack, /** @type {unknown} */ err, /** @type {Peer[]} */ peers) {
  const pages = await Promise.race([diag(peers), sleep(5000).then(() => 'timeout')]);
  const error = /** @type {Error} */ (err)?.message?.split('\n')[0] ?? String(err);
  failureReports.push({ figure, stack, error, pages });
  log(`  ${figure} ${LABEL[/** @type {'meshpad'} */ (stack)] ?? stack} state: ${JSON.stringify(pages).slice(0, 1500)}`);
}

/** window.__bench.<fn>(...args) in the page. */
function call(/** @type {Peer} */ peer, /** @type {string} */ fn, /** @type {unknown[]} */ ...args) {
  return peer.page.evaluate(([f, a]) => /** @type {any} */ (window).__bench[f](...a), /** @type {const} */ ([fn, args]));
}
function apiCall(/** @type {Peer} */ peer, /** @type {string} */ fn, /** @type {unknown[]} */ ...args) {
  return peer.page.evaluate(([f, a]) => /** @type {any} */ (window).__bench.api()[f](...a), /** @type {const} */ ([fn, args]));
}

async function waitReady(/** @type {Peer} */ peer, timeout = 30_000) {
  await peer.page.waitForFunction(() => /** @type {any} */ (window).__bench?.ready() === true, undefined, { polling: 10, timeout });
}

/**
 * Until every page's service worker has finished its first install (Meshpad precaches the app
 * on a first visit, ~1 MB through the local server): the figures measure a room in steady
 * state, as its peers normally are, not a one-time install running alongside (runs before
 * 2026-12-07 did not wait: P1's first peer was then still precaching while the second joined).
 */
async function waitServiceWorkers(/** @type {Peer[]} */ peers, timeout = 60_000) {
  await Promise.all(peers.map((p) => p.page.waitForFunction(() => /** @type {any} */ (window).__bench.serviceWorkerSettled(), undefined, { polling: 100, timeout })));
}

/** Until every page has an open link to at least `n` peers. */
async function waitPeers(/** @type {Peer[]} */ peers, /** @type {number} */ n, timeout = 60_000) {
  await Promise.all(
    peers.map((p) => p.page.waitForFunction((k) => /** @type {any} */ (window).__bench.peerCount() >= k, n, { polling: 20, timeout })),
  );
}

/**
 * Opens `n` peers in one new room: the first joins, then the others together; all linked.
 * `persistent`: 'all' pages, or the 'joiners' only (not the first), each in its own browser with
 * a profile on disk (see newPeer).
 */
async function openRoom(/** @type {'meshpad'|'ywebrtc'} */ stack, /** @type {number} */ n, /** @type {{ persistent?: 'all' | 'joiners' }} */ opts = {}) {
  const url = roomUrl(stack);
  /** @type {Peer[]} */
  const peers = [];
  try {
    const first = await newPeer(stack, { persistent: opts.persistent === 'all' });
    peers.push(first);
    await gotoRetry(first, url);
    await waitReady(first);
    const rest = await Promise.all(Array.from({ length: n - 1 }, () => newPeer(stack, { persistent: opts.persistent !== undefined })));
    peers.push(...rest);
    await Promise.all(rest.map((p) => gotoRetry(p, url)));
    await Promise.all(rest.map((p) => waitReady(p)));
    await waitPeers(peers, n - 1, 30_000 + 5_000 * n);
    const linkedAt = Date.now();
    await waitServiceWorkers(peers);
    return { url, peers, linkedAt };
  } catch (err) {
    await reportFailure(`open room of ${n}`, stack, err, peers);
    await closePeers(peers);
    throw err;
  }
}

/** Insert `s` in `from` and wait until every page of `all` shows the same document. */
async function insertAndSync(/** @type {Peer} */ from, /** @type {Peer[]} */ all, /** @type {string} */ s, timeout = 20_000) {
  const len = /** @type {number} */ (await call(from, 'insert', s));
  await Promise.all(all.map((p) => p.page.waitForFunction((l) => /** @type {any} */ (window).__bench.docLength() === l, len, { polling: 10, timeout })));
}

async function focusEnd(/** @type {Peer} */ peer) {
  await peer.page.locator('.cm-content').first().focus();
  await peer.page.keyboard.press('Control+End');
}

// ---------- figures ----------
/** @type {Record<string, any>} */
const figures = {};
/** @type {Record<string, any>} */
const raw = {};
/** @type {string[]} */
const notes = [];
/** @type {Record<string, Record<string, number | null>> | null} */
let p1Breakdown = null;

function putFigure(/** @type {string} */ key, /** @type {string} */ title, /** @type {string} */ unit, /** @type {Record<string, number[]>} */ samples, /** @type {Record<string, unknown>} */ extra = {}) {
  const m = summarize(samples.meshpad ?? []);
  const y = summarize(samples.ywebrtc ?? []);
  figures[key] = { title, unit, meshpad: m, ywebrtc: y, ratio: { median: ratio(m.median, y.median), p99: ratio(m.p99, y.p99) }, ...extra };
  raw[key] = samples;
}

/** Alternate the stacks: even rounds Meshpad first, odd rounds y-webrtc first. */
const order = (/** @type {number} */ round) => (round % 2 === 0 ? STACKS : [...STACKS].reverse());

// P2: keystroke in A → visible in B (in-page clocks)
const TYPED = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';

/**
 * Types `count` keys in A at a fixed pace (`gapMs` apart); returns the latency of each to B's
 * editor DOM, with its parts. `settle`: once A's editor has focus (Meshpad then shows A's caret
 * in every other page), type only when the machine is quiet (P2: keystrokes in steady state, not
 * the focus's one-time effects in 8 pages at once).
 */
async function typeAndMeasure(/** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {number} */ count, /** @type {number} */ gapMs, settle = false) {
  await focusEnd(a);
  if (settle) await startWhenQuiet(log, 'typing');
  const base = /** @type {number} */ (await call(b, 'armSeen'));
  const k0 = /** @type {number} */ (await a.page.evaluate(() => /** @type {any} */ (window).__bench.keydowns.length));
  const aLen0 = /** @type {number} */ (await call(a, 'docLength'));
  const arm = (/** @type {Peer} */ peer, /** @type {'sendLog' | 'recvLog'} */ which) =>
    peer.page.evaluate((w) => {
      const log = /** @type {any} */ (window).__bench[w];
      log.entries = [];
      log.armed = true;
    }, which);
  const collect = (/** @type {Peer} */ peer, /** @type {'sendLog' | 'recvLog'} */ which) =>
    /** @type {Promise<Array<[number, string]>>} */ (
      peer.page.evaluate((w) => {
        const log = /** @type {any} */ (window).__bench[w];
        log.armed = false;
        return log.entries;
      }, which)
    );
  await Promise.all([arm(a, 'sendLog'), arm(b, 'recvLog')]);
  if (aLen0 !== base) throw new Error(`A and B differ before typing (${aLen0} vs ${base})`);
  for (let i = 0; i < count; i++) {
    await a.page.keyboard.press(TYPED[i % TYPED.length] === ' ' ? 'Space' : /** @type {string} */ (TYPED[i % TYPED.length]));
    await sleep(gapMs);
  }
  await b.page.waitForFunction((n) => /** @type {any} */ (window).__bench.seen.length >= n, count, { polling: 10, timeout: 15_000 });
  await call(b, 'disarmSeen');
  const keydowns = /** @type {number[]} */ (await a.page.evaluate((k) => /** @type {any} */ (window).__bench.keydowns.slice(k), k0));
  const seen = /** @type {number[]} */ (await b.page.evaluate(() => /** @type {any} */ (window).__bench.seen));
  const [sends, receipts] = await Promise.all([collect(a, 'sendLog'), collect(b, 'recvLog')]);
  const [ta, tb] = await Promise.all([call(a, 'editorText'), call(b, 'editorText')]);
  if (keydowns.length !== count || seen.length !== count || ta !== tb || /** @type {string} */ (tb).length !== base + count) {
    throw new Error(`keystroke bookkeeping off: ${keydowns.length} keydowns, ${seen.length} seen, ${count} typed, texts ${ta === tb ? 'equal' : 'differ'}`);
  }
  // A's share: keydown → first RTCDataChannel.send (Meshpad: on code-sync) before the next keydown.
  const isCode = (/** @type {Peer} */ peer) => (/** @type {[number, string]} */ [, label]) => peer.stack !== 'meshpad' || label === 'code-sync';
  const codeSends = sends.filter(isCode(a)).map(([t]) => t);
  const codeReceipts = receipts.filter(isCode(b)).map(([t]) => t);
  /** @type {number[]} */
  const aSide = [];
  /** @type {number[]} send in A → message event in B */
  const wire = [];
  /** @type {number[]} message event in B → visible in B's editor */
  const bSide = [];
  let j = 0;
  let r = 0;
  for (let i = 0; i < count; i++) {
    const k = /** @type {number} */ (keydowns[i]);
    const next = keydowns[i + 1] ?? Infinity;
    while (j < codeSends.length && /** @type {number} */ (codeSends[j]) < k) j++;
    if (j >= codeSends.length || /** @type {number} */ (codeSends[j]) >= next) continue;
    const sent = /** @type {number} */ (codeSends[j]);
    aSide.push(sent - k);
    while (r < codeReceipts.length && /** @type {number} */ (codeReceipts[r]) < sent) r++;
    const got = codeReceipts[r];
    if (got === undefined || got > /** @type {number} */ (seen[i])) continue;
    wire.push(got - sent);
    bSide.push(/** @type {number} */ (seen[i]) - got);
  }
  return { latency: seen.map((t, i) => t - /** @type {number} */ (keydowns[i])), aSide, wire, bSide };
}

async function figureP2() {
  phase = 'p2';
  /** @type {Record<string, number[]>} */
  const lat = { meshpad: [], ywebrtc: [] };
  /** The keystroke in three parts: A's page (keydown → send), the wire (A's send → B's message event), B's page (→ visible). */
  /** @type {Record<'aSide' | 'wire' | 'bSide', Record<string, number[]>>} */
  const parts = { aSide: { meshpad: [], ywebrtc: [] }, wire: { meshpad: [], ywebrtc: [] }, bSide: { meshpad: [], ywebrtc: [] } };
  /** @type {Partial<Record<'meshpad'|'ywebrtc', Peer[]>>} */
  const rooms = {};
  try {
    for (const stack of STACKS) rooms[stack] = (await openRoom(stack, 2)).peers;
    const blocks = Math.ceil(CFG.keys / CFG.keyBlock);
    for (let r = 0; r < blocks; r++) {
      for (const stack of order(r)) {
        const [a, b] = /** @type {Peer[]} */ (rooms[stack]);
        const n = Math.min(CFG.keyBlock, CFG.keys - r * CFG.keyBlock);
        const s = await typeAndMeasure(a, b, n, CFG.gapMs, true);
        lat[stack].push(...s.latency);
        for (const part of /** @type {const} */ (['aSide', 'wire', 'bSide'])) parts[part][stack]?.push(...s[part]);
      }
      log(`P2 2 peers: block ${r + 1}/${blocks} done (${lat.meshpad.length} + ${lat.ywebrtc.length} keystrokes)`);
    }
  } finally {
    await closePeers([...(rooms.meshpad ?? []), ...(rooms.ywebrtc ?? [])]);
  }
  putFigure('p2_latency_2', 'P2 keystroke A → visible in B, 2 peers', 'ms', lat, { gapMs: CFG.gapMs });
  putFigure('p2_keydown_to_send_2', 'P2 breakdown, 2 peers: keydown → RTCDataChannel.send in A', 'ms', parts.aSide);
  putFigure('p2_wire_2', "P2 breakdown, 2 peers: A's RTCDataChannel.send → B's message event", 'ms', parts.wire);
  putFigure('p2_receiver_2', "P2 breakdown, 2 peers: B's message event → visible in B", 'ms', parts.bSide);
}

async function figureP2x8() {
  phase = 'p2x8';
  /** @type {Record<string, number[]>} */
  const lat = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const meshMs = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const aSide = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} all Chromium processes' CPU per keystroke while typing */
  const cpuPerKey = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number>} */
  const failures = { meshpad: 0, ywebrtc: 0 };
  const per = Math.ceil(CFG.keys8 / CFG.rounds8);
  for (let r = 0; r < CFG.rounds8; r++) {
    for (const stack of order(r)) {
      const t0 = Date.now();
      /** @type {Peer[]} */
      let peers = [];
      try {
        const room = await openRoom(stack, 8);
        peers = room.peers;
        meshMs[stack].push(room.linkedAt - t0);
        const [a, b] = peers;
        await insertAndSync(/** @type {Peer} */ (a), peers, '// eight peers\n');
        const cpu0 = cpuSnapshot();
        const s = await typeAndMeasure(/** @type {Peer} */ (a), /** @type {Peer} */ (b), per, CFG.gap8Ms, true);
        const cpu1 = cpuSnapshot();
        const spent = cpuSpent(cpu0, cpu1);
        cpuPerKey[stack].push(Number(((cpuSeconds(spent) * 1000) / per).toFixed(2)));
        log(`P2 8 peers ${LABEL[stack]} round ${r + 1}: CPU ${cpuPerKey[stack].at(-1)} ms per keystroke, s ${JSON.stringify(spent)}`);
        if (process.env.BENCH_CPU_THREADS) log(`  by thread ${JSON.stringify(cpuSpentByThread(cpu0, cpu1, 0.2))}`);
        lat[stack].push(...s.latency);
        aSide[stack].push(...s.aSide);
        // Still a full mesh at the end of the measurement?
        const counts = await Promise.all(peers.map((p) => call(p, 'peerCount')));
        if (counts.some((c) => c !== 7)) notes.push(`P2 8 peers ${LABEL[stack]} round ${r + 1}: peer counts at the end ${counts.join(',')}`);
        log(`P2 8 peers ${LABEL[stack]} round ${r + 1}: mesh of 8 in ${meshMs[stack].at(-1)} ms, ${s.latency.length} keystrokes`);
      } catch (err) {
        failures[stack]++;
        log(`P2 8 peers ${LABEL[stack]} round ${r + 1} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
        if (peers.length) await reportFailure('P2 8 peers', stack, err, peers);
      } finally {
        await closePeers(peers);
      }
    }
  }
  putFigure('p2_latency_8', 'P2 keystroke A → visible in B, 8 peers (full mesh)', 'ms', lat, { gapMs: CFG.gap8Ms, failures });
  putFigure('p2_keydown_to_send_8', 'P2 breakdown, 8 peers: keydown → first RTCDataChannel.send in A', 'ms', aSide);
  putFigure('p2_mesh8_setup', '8 pages opened → full mesh (every page 7 links)', 'ms', meshMs);
  putFigure('p2_cpu_per_key_8', 'P2 8 peers: CPU of all Chromium processes per keystroke while typing', 'ms', cpuPerKey);
}

// P5: 5,000 + 5,000 offline edits → identical documents after reconnect
const P5_START = '// p5 shared start\n/*\n\n*/\n';
const P5_SLOW_MS = 3_000;
async function p5Once(/** @type {'meshpad'|'ywebrtc'} */ stack, /** @type {number} */ r) {
  const { peers } = await openRoom(stack, 2);
  const [a, b] = /** @type {[Peer, Peer]} */ (peers);
  try {
    await insertAndSync(a, peers, P5_START);
    await Promise.all([apiCall(a, 'goOffline'), apiCall(b, 'goOffline')]);
    await Promise.all(peers.map((p) => p.page.waitForFunction(() => /** @type {any} */ (window).__bench.peerCount() === 0, undefined, { polling: 20, timeout: 10_000 })));
    const tEdits = Date.now();
    const [insA, insB] = await Promise.all([call(a, 'bulkEdits', 'a', CFG.p5Edits, 1000 + r), call(b, 'bulkEdits', 'b', CFG.p5Edits, 2000 + r)]);
    const editsMs = Date.now() - tEdits;
    await sleep(500); // local persistence and GC settle; not measured
    const [lenA, lenB] = await Promise.all([call(a, 'docLength'), call(b, 'docLength')]);
    const start = P5_START.length;
    const expected = start + /** @type {number} */ (insA) + /** @type {number} */ (insB);
    if (lenA !== start + /** @type {number} */ (insA) || lenB !== start + /** @type {number} */ (insB)) throw new Error('offline edits: unexpected lengths');
    await Promise.all(peers.map((p) => call(p, 'armLength', expected, 60_000)));
    const pcsBefore = /** @type {number} */ (await a.page.evaluate(() => /** @type {any} */ (window).__bench.pcs.length));
    if (stack === 'meshpad') await Promise.all(peers.map((p) => call(p, 'recordCodeSync')));
    const t0 = Date.now();
    await Promise.all([apiCall(a, 'goOnline'), apiCall(b, 'goOnline')]);
    await Promise.all(peers.map((p) => p.page.waitForFunction(() => /** @type {any} */ (window).__bench.lengthAt !== null, undefined, { polling: 20, timeout: 30_000 })));
    const ends = /** @type {number[]} */ (await Promise.all(peers.map((p) => p.page.evaluate(() => /** @type {any} */ (window).__bench.lengthAt))));
    const [ta, tb] = await Promise.all([apiCall(a, 'text'), apiCall(b, 'text')]);
    if (ta !== tb) throw new Error('documents differ after reconnect');
    const ms = Math.max(...ends) - t0;
    // A Meshpad resync this slow may mean a state vector went unanswered (code-sync-provider.ts re-asks after 5 s).
    if (stack === 'meshpad' && ms > P5_SLOW_MS) log(`  P5 Meshpad took ${ms} ms: ${JSON.stringify(await diag(peers)).slice(0, 3000)}`);
    await sleep(300); // let the final acknowledgements land before reading the counters
    const wire = await a.page.evaluate((i) => /** @type {any} */ (window).__bench.wireBytes(i), pcsBefore);
    const updateSize = stack === 'ywebrtc' ? /** @type {number} */ (await apiCall(a, 'updateSize')) : null;
    return { ms, wire, updateSize, chars: expected, editsMs };
  } catch (err) {
    await reportFailure('P5', stack, err, peers);
    throw err;
  } finally {
    await closePeers(peers);
  }
}

async function figureP5() {
  phase = 'p5';
  /** @type {Record<string, number[]>} */
  const ms = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const bytes = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const transportBytes = { meshpad: [], ywebrtc: [] };
  /** @type {number[]} */
  const updateSizes = [];
  /** @type {Record<string, number[]>} */
  const editMs = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number>} */
  const failures = { meshpad: 0, ywebrtc: 0 };
  for (let r = 0; r < CFG.reps; r++) {
    for (const stack of order(r)) {
      try {
        const s = await p5Once(stack, r);
        ms[stack].push(s.ms);
        bytes[stack].push(s.wire.dcSent + s.wire.dcReceived);
        transportBytes[stack].push(s.wire.transportSent + s.wire.transportReceived);
        if (s.updateSize !== null) updateSizes.push(s.updateSize);
        editMs[stack].push(s.editsMs);
        log(`P5 ${LABEL[stack]} #${r + 1}: offline edits ${s.editsMs} ms, converged in ${s.ms} ms; data-channel bytes ${s.wire.dcSent + s.wire.dcReceived} (${s.wire.pcs} pc), transport ${s.wire.transportSent + s.wire.transportReceived}`);
      } catch (err) {
        failures[stack]++;
        log(`P5 ${LABEL[stack]} #${r + 1} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
      }
    }
  }
  putFigure('p5_resync', `P5 ${CFG.p5Edits} + ${CFG.p5Edits} offline edits → identical documents after reconnect`, 'ms', ms, { failures });
  const upd = summarize(updateSizes).median;
  putFigure('p5_wire_bytes', 'P5 data-channel bytes (sent + received, one side) during resync', 'bytes', bytes, {
    yjsUpdateBytesMedian: upd,
    note: 'update size = Y.encodeStateAsUpdate of the converged y-webrtc document (same edit script for both stacks)',
    perUpdate: {
      meshpad: ratio(summarize(bytes.meshpad).median, upd),
      ywebrtc: ratio(summarize(bytes.ywebrtc).median, upd),
    },
  });
  putFigure('p5_offline_edits', `P5 (not a sync figure) ${CFG.p5Edits} offline edits in each of the 2 pages, one task, in parallel`, 'ms', editMs);
  putFigure('p5_transport_bytes', 'P5 transport bytes (DTLS/SCTP/ICE, both directions) during resync', 'bytes', transportBytes);
}

// P6: one side's RTCPeerConnection closed → link open again, and an edit made meanwhile arrives
async function p6Once(/** @type {'meshpad'|'ywebrtc'} */ stack, /** @type {number} */ r) {
  const { peers } = await openRoom(stack, 2);
  const [a, b] = /** @type {[Peer, Peer]} */ (peers);
  try {
    await insertAndSync(a, peers, '// p6\n');
    const idB = /** @type {string} */ (await apiCall(b, 'selfId'));
    const idA = /** @type {string} */ (await apiCall(a, 'selfId'));
    const marker = `p6_${r}_${rid().replace(/[-_]/g, 'x')}`;
    const closed = await call(a, 'startP6', idB, marker, CFG.p6TimeoutMs);
    if (!closed) throw new Error('closeConnection found no connection');
    // B edits while the link is (about to be) down: only a resync after reconnecting delivers it.
    await call(b, 'insert', `// ${marker}\n`);
    let st;
    const end = Date.now() + CFG.p6TimeoutMs + 1000;
    for (;;) {
      st = await a.page.evaluate(() => /** @type {any} */ (window).__bench.p6);
      if ((st.reconnectedAt !== null && st.markerAt !== null) || Date.now() > end) break;
      await sleep(50);
    }
    const bSeesA = /** @type {string[]} */ (await apiCall(b, 'peers')).includes(idA);
    const reconnect = st.reconnectedAt !== null ? st.reconnectedAt - st.t0 : null;
    const resync = st.markerAt !== null ? st.markerAt - st.t0 : null;
    const recovered = reconnect !== null && resync !== null && bSeesA;
    if (!recovered) {
      const bHasMarker = /** @type {string} */ (await apiCall(b, 'text')).includes(marker);
      await reportFailure('P6 (not recovered)', stack, new Error(`marker in B: ${bHasMarker}, in A: ${resync !== null}`), peers);
    }
    return { reconnect, resync, dropped: st.droppedAt !== null, recovered, bSeesA };
  } catch (err) {
    await reportFailure('P6', stack, err, peers);
    throw err;
  } finally {
    await closePeers(peers);
  }
}

async function figureP6() {
  phase = 'p6';
  /** @type {Record<string, number[]>} */
  const reconnect = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const resync = { meshpad: [], ywebrtc: [] };
  const recovered = { meshpad: 0, ywebrtc: 0 };
  const reconnectedOnly = { meshpad: 0, ywebrtc: 0 };
  const total = { meshpad: 0, ywebrtc: 0 };
  /** @type {Record<string, number>} */
  const failures = { meshpad: 0, ywebrtc: 0 };
  for (let r = 0; r < CFG.reps; r++) {
    for (const stack of order(r)) {
      try {
        const s = await p6Once(stack, r);
        total[stack]++;
        if (s.recovered) {
          recovered[stack]++;
          reconnect[stack].push(/** @type {number} */ (s.reconnect));
          resync[stack].push(/** @type {number} */ (s.resync));
        } else if (s.reconnect !== null) reconnectedOnly[stack]++;
        log(
          `P6 ${LABEL[stack]} #${r + 1}: ` +
            (s.recovered
              ? `link open again after ${s.reconnect} ms, edit made meanwhile visible after ${s.resync} ms`
              : `did not recover within ${CFG.p6TimeoutMs / 1000} s (dropped seen: ${s.dropped}, reconnected: ${s.reconnect ?? 'no'}, edit arrived: ${s.resync ?? 'no'}, B lists A: ${s.bSeesA})`),
        );
      } catch (err) {
        failures[stack]++;
        log(`P6 ${LABEL[stack]} #${r + 1} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
      }
    }
  }
  const extra = { recovered, total, reconnectedButNotResynced: reconnectedOnly, timeoutMs: CFG.p6TimeoutMs, failures };
  putFigure('p6_reconnect', 'P6 pc.close() on one side → link open again (recovered runs)', 'ms', reconnect, extra);
  putFigure('p6_resync', 'P6 pc.close() → edit made meanwhile visible on the other side (recovered runs)', 'ms', resync, extra);
  // Times of the recovered runs only are no comparison when a stack mostly does not recover.
  for (const key of ['p6_reconnect', 'p6_resync']) {
    const f = figures[key];
    f.ratioRecoveredRunsOnly = f.ratio;
    if (STACKS.some((st) => recovered[st] < total[st] || total[st] === 0)) f.ratio = { median: null, p99: null };
  }
}

// Raw RTCDataChannel throughput: the physical limit of one reliable ordered channel
/** Raw channel throughput A → B; `receiverOnDisk`: B in its own browser with a profile on disk, as the files bench's receiver. */
async function tpOnce(/** @type {{ bytes?: number, receiverOnDisk?: boolean, beforeSend?: () => void, beforeClose?: () => void }} */ opts = {}) {
  const total = opts.bytes ?? CFG.tpBytes;
  // Generous: 2 MB/s at the least, and never under 60 s.
  const timeoutS = Math.max(60, Math.ceil(total / 2e6));
  const a = await newPeer('raw');
  const b = await newPeer('raw', { persistent: opts.receiverOnDisk === true });
  try {
    await Promise.all([a.page.goto(`${ORIGINS.staticOrigin}/blank.html`), b.page.goto(`${ORIGINS.staticOrigin}/blank.html`)]);
    const gather = `(pc) => new Promise((ok) => { if (pc.iceGatheringState === 'complete') ok(); pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') ok(); }); })`;
    const offer = await a.page.evaluate(async (g) => {
      const w = /** @type {any} */ (window);
      const gatherDone = eval(g);
      const pc = new RTCPeerConnection({ iceServers: [] });
      const dc = pc.createDataChannel('throughput', { ordered: true });
      dc.binaryType = 'arraybuffer';
      w.tp = { pc, dc, open: new Promise((ok) => (dc.onopen = ok)) };
      await pc.setLocalDescription(await pc.createOffer());
      await gatherDone(pc);
      return pc.localDescription?.sdp;
    }, gather);
    const answer = await b.page.evaluate(
      async ([sdp, g, total]) => {
        const w = /** @type {any} */ (window);
        const gatherDone = eval(g);
        const pc = new RTCPeerConnection({ iceServers: [] });
        w.tp = { pc };
        w.tp.done = new Promise((ok) => {
          pc.ondatachannel = (ev) => {
            const dc = ev.channel;
            dc.binaryType = 'arraybuffer';
            let got = 0;
            dc.onmessage = (m) => {
              got += m.data.byteLength;
              if (got >= total) ok(performance.timeOrigin + performance.now());
            };
          };
        });
        await pc.setRemoteDescription({ type: 'offer', sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        await gatherDone(pc);
        return pc.localDescription?.sdp;
      },
      /** @type {const} */ ([offer, gather, total]),
    );
    await a.page.evaluate(async (sdp) => {
      const w = /** @type {any} */ (window);
      await w.tp.pc.setRemoteDescription({ type: 'answer', sdp });
      await Promise.race([w.tp.open, new Promise((_, no) => setTimeout(() => no(new Error('data channel did not open')), 15_000))]);
    }, answer);
    opts.beforeSend?.();
    const startedAt = /** @type {number} */ (
      await a.page.evaluate(
        ([total, chunk, high, low]) => {
          const w = /** @type {any} */ (window);
          const dc = w.tp.dc;
          dc.bufferedAmountLowThreshold = low;
          const buf = new Uint8Array(chunk);
          const t0 = performance.timeOrigin + performance.now();
          let sent = 0;
          const pump = () => {
            while (sent < total && dc.bufferedAmount < high) {
              dc.send(buf);
              sent += chunk;
            }
            if (sent < total) dc.addEventListener('bufferedamountlow', pump, { once: true });
          };
          pump();
          return t0;
        },
        /** @type {const} */ ([total, CFG.tpChunk, CFG.tpHighWater, CFG.tpLowWater]),
      )
    );
    const doneAt = /** @type {number} */ (
      await b.page.evaluate((s) => Promise.race([/** @type {any} */ (window).tp.done, new Promise((_, no) => setTimeout(() => no(new Error(`throughput: not all bytes within ${s} s`)), s * 1000))]), timeoutS)
    );
    opts.beforeClose?.();
    return total / 1e6 / ((doneAt - startedAt) / 1000);
  } finally {
    await closePeers([a, b]);
  }
}

async function figureTp() {
  phase = 'tp';
  /** @type {number[]} */
  const mbps = [];
  for (let r = 0; r < CFG.tpReps; r++) {
    try {
      const v = await tpOnce();
      mbps.push(v);
      log(`raw throughput #${r + 1}: ${v.toFixed(2)} MB/s`);
    } catch (err) {
      log(`raw throughput #${r + 1} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
    }
  }
  figures.raw_throughput = {
    title: `raw RTCDataChannel, 1 reliable ordered channel, ${CFG.tpChunk / 1024} KiB messages, ${CFG.tpBytes / 2 ** 20} MiB, high-water ${CFG.tpHighWater / 2 ** 20} MiB / low ${CFG.tpLowWater / 2 ** 20} MiB`,
    unit: 'MB/s (10^6 bytes/s)',
    raw: summarize(mbps),
  };
  raw.raw_throughput = mbps;
}

// ---------- report ----------
function fmt(/** @type {number | null | undefined} */ v, /** @type {string} */ unit) {
  if (v === null || v === undefined) return '—';
  if (unit === 'bytes') return v >= 1e6 ? `${(v / 1e6).toFixed(2)} MB` : `${(v / 1e3).toFixed(1)} kB`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function table() {
  const rows = [['figure', 'unit', 'Meshpad median (p99) [n]', 'y-webrtc median (p99) [n]', 'ratio M/Y median (p99)']];
  for (const [key, f] of Object.entries(figures)) {
    if (f.rows) {
      rows.push(...f.rows);
      continue;
    }
    if (key === 'raw_throughput') {
      rows.push([f.title, f.unit, `${fmt(f.raw.median, '')} (min ${fmt(f.raw.min, '')}, max ${fmt(f.raw.max, '')}) [${f.raw.n}]`, '—', '—']);
      continue;
    }
    const cell = (/** @type {any} */ s) => `${fmt(s.median, f.unit)} (${fmt(s.p99, f.unit)}) [${s.n}]`;
    let title = f.title;
    if (f.recovered) title += ` — recovered M ${f.recovered.meshpad}/${f.total.meshpad}, Y ${f.recovered.ywebrtc}/${f.total.ywebrtc}`;
    rows.push([title, f.unit, cell(f.meshpad), cell(f.ywebrtc), `${f.ratio.median ?? '—'} (${f.ratio.p99 ?? '—'})`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, j) => {
    const line = r.map((c, i) => String(c).padEnd(/** @type {number} */ (widths[i]))).join(' | ');
    return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}` : line;
  }).join('\n');
}

function gitInfo() {
  const rev = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout?.trim() ?? null;
  const dirty = (spawnSync('git', ['status', '--porcelain', '--', 'web', 'signaling-worker', 'vite.config.ts', 'package.json'], { cwd: repo, encoding: 'utf8' }).stdout ?? '').trim();
  return { commit: rev, dirtyFiles: dirty ? dirty.split('\n').map((l) => l.trim()) : [] };
}

// ---------- main ----------
async function main() {
  const startedAt = new Date();
  log(`inside ${process.env.MESHPAD_NETNS === '1' ? 'a loopback-only network namespace' : 'the host network (NO namespace isolation)'}; figures: ${CFG.only.join(', ')}; ${quick ? 'QUICK mode' : 'full mode'}`);
  if (!CHROMIUM) log('no /usr/bin/chromium: using Playwright’s own Chromium');

  // Quiet machine first: wait (bounded) for other Chromium processes to end.
  contention.otherChromiumAtStart = otherChromium();
  for (let i = 0; i < CFG.waitIdle && otherChromium() > 0; i++) {
    log(`${otherChromium()} other Chromium processes running (another test run?): waiting 20 s (${i + 1}/${CFG.waitIdle})`);
    await sleep(20_000);
    contention.waitedS += 20;
  }
  const sampler = setInterval(sampleContention, 3000);
  sampler.unref();
  sampleContention();

  if (CFG.build) {
    log('building Meshpad (npx vite build → dist/)');
    run('npx', ['vite', 'build', '--logLevel', 'warn'], 180_000);
  } else if (!existsSync(join(repo, 'dist', 'index.html'))) {
    throw new Error('--no-build but dist/index.html does not exist');
  }
  if (CFG.build || !existsSync(join(YW_OUT, 'index.html'))) {
    log(`building the y-webrtc page (→ ${YW_OUT})`);
    run('npx', ['vite', 'build', '--config', 'bench/y-webrtc-page/vite.config.mjs'], 120_000);
  }

  // Servers.
  // The static server first: it holds its port, so none of the ones reserved next can be it.
  const staticOrigin = await serveStatic(YW_OUT);
  const [meshPort, ywPort, ywPagePort, ywInspectorPort] = await freePorts(4);
  const mesh = startDetached('meshpad server', process.execPath, [join(repo, 'scripts', 'serve.mjs')], { PORT: String(meshPort), WRANGLER_PERSIST_TO: persist });
  startDetached('y-webrtc signaling', process.execPath, [join(repo, 'node_modules', 'y-webrtc', 'bin', 'server.js')], { PORT: String(ywPort) });
  const ywOrigin = CFG.ywStatic === 'node' ? staticOrigin : await startYwPageWorker(ywPagePort, ywInspectorPort);
  ORIGINS = { meshOrigin: `http://127.0.0.1:${meshPort}`, ywOrigin, ywSignaling: `ws://127.0.0.1:${ywPort}`, staticOrigin };
  try {
    await Promise.all([waitHttp(`${ORIGINS.meshOrigin}/api/health`, 60_000), waitHttp(`http://127.0.0.1:${ywPort}/`, 15_000), waitHttp(`${ywOrigin}/`, 60_000)]);
  } catch (err) {
    log(`server start failed; Meshpad server output:\n  ${mesh.tail.join('\n  ')}`);
    throw err;
  }
  log(`Meshpad on ${ORIGINS.meshOrigin}, y-webrtc page on ${ywOrigin}, y-webrtc signaling on ${ORIGINS.ywSignaling}`);

  browser = await chromium.launch({ headless: true, ...(CHROMIUM ? { executablePath: CHROMIUM } : {}), args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  log(`Chromium ${chromiumVersion}`);

  const steps = /** @type {Array<[string, () => Promise<void>]>} */ ([
    ['p1', async () => {
      phase = 'p1';
      p1Breakdown = await figureP1({ openRoom, newPeer, call, closePeers, reportFailure, putFigure, log, order, label: LABEL, reps: CFG.reps, marks: Boolean(process.env.BENCH_P1_MARKS) });
    }],
    ['p2', figureP2],
    ['p2x8', figureP2x8],
    ['p5', figureP5],
    ['p6', figureP6],
    ['tp', figureTp],
    ['p9', () => figureP9({ openRoom, closePeers, putFigure, log, seconds: quick ? 3 : 10 })],
    ['files', async () => {
      phase = 'files';
      const { figureFiles } = await import('./lib/files-bench.mjs');
      await figureFiles({ openRoom, closePeers, typeAndMeasure, tpOnce, log, figures, raw, notes, quick, megabytes: CFG.filesMb, p3Only: CFG.filesP3Only, linkMbit: CFG.filesLinkMbit });
    }],
  ]);
  /** @type {Record<string, number>} */
  const phaseSeconds = {};
  for (const [name, fn] of steps) {
    if (!runs(name)) continue;
    const t = performance.now();
    try {
      await fn();
    } catch (err) {
      log(`${name} aborted: ${/** @type {Error} */ (err).stack ?? err}`);
      notes.push(`${name} aborted: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
    }
    phaseSeconds[name] = Number(((performance.now() - t) / 1000).toFixed(1));
    log(`${name} took ${phaseSeconds[name]} s`);
  }
  phase = 'report';
  clearInterval(sampler);
  sampleContention();

  // Contended: another Chromium was running in more than 5 % of the samples.
  const contendedShare = contention.samples ? contention.samplesWithOtherChromium / contention.samples : 0;
  const contended = contendedShare > 0.05;
  const finishedAt = new Date();
  const cpus = os.cpus();
  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Number(((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)),
    mode: quick ? 'quick' : 'full',
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? null,
      totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      chromium: chromiumVersion,
      chromiumPath: CHROMIUM ?? 'playwright',
      networkNamespace: process.env.MESHPAD_NETNS === '1',
    },
    git: gitInfo(),
    packages: {
      yjs: JSON.parse(readFileSync(join(repo, 'node_modules', 'yjs', 'package.json'), 'utf8')).version,
      'y-webrtc': JSON.parse(readFileSync(join(repo, 'node_modules', 'y-webrtc', 'package.json'), 'utf8')).version,
      '@codemirror/view': JSON.parse(readFileSync(join(repo, 'node_modules', '@codemirror', 'view', 'package.json'), 'utf8')).version,
    },
    contention: { ...contention, contendedShare: Number(contendedShare.toFixed(3)), contended },
    config: { ...CFG, outDir: undefined },
    phaseSeconds,
    figures,
    pageProblems,
    gotoRetries,
    failureReports,
    notes,
    samples: raw,
  };
  mkdirSync(CFG.outDir, { recursive: true });
  const file = join(CFG.outDir, `${startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');

  console.log('\n' + table() + '\n');
  console.log(
    `contention: ${contended ? 'CONTENDED' : 'quiet'} — other Chromium processes in ${contention.samplesWithOtherChromium}/${contention.samples} samples (max ${contention.maxOtherChromium}), max load1 ${contention.maxLoad1} on ${cpus.length} CPUs`,
  );
  if (p1Breakdown) {
    for (const stack of STACKS) {
      console.log(`P1 ${LABEL[stack]} medians from page.goto (ms): ${Object.entries(p1Breakdown[stack] ?? {}).map(([k, v]) => `${k} ${v ?? '—'}`).join(' → ')}`);
    }
  }
  for (const n of notes) console.log(`note: ${n}`);
  if (failureReports.length) console.log(`${failureReports.length} failure report(s) with page states in the results file`);
  for (const [stack, p] of Object.entries(pageProblems)) if (p.pageErrors || p.consoleErrors) console.log(`page problems ${stack}: ${p.pageErrors} uncaught, ${p.consoleErrors} console errors; e.g. ${p.examples[0]}`);
  console.log(`results: ${file.startsWith(repo) ? file.slice(repo.length + 1) : file} (${result.durationS} s)`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  console.error(`[bench] failed: ${/** @type {Error} */ (err).stack ?? err}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
