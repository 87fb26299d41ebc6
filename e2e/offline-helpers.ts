/**
 * Helpers of e2e/offline.spec.ts (offline-first PWA): persistent browser contexts, a wrangler
 * server of a test's own (killable, restartable, optionally serving another build), separate
 * app builds for the update flow, service-worker control, bulk edits through CodeMirror and
 * in-page clocks.
 *
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, EXECUTABLE_PATH } from './chromium.ts';
import { PEER_PERMISSIONS, editorOf, expect, type Peer } from './fixtures';
import { guardNavigations } from './navigation-guard.ts';

import { OwnServer, ROOT } from './own-server.ts';

export { OwnServer, ROOT, portAccepts } from './own-server.ts';

/** The port of the shared server (playwright.config.ts); our own servers use ports above it. */
export const SHARED_PORT = Number(process.env.E2E_PORT ?? 8790);

// ---- persistent browser contexts (installability needs one: an ordinary context is "in-incognito") ----

/** Log a page's uncaught errors and console errors/warnings, prefixed with `name`. */
export function logPage(page: Page, name: string): void {
  page.on('pageerror', (err) => console.log(`[page ${name}] uncaught: ${err.stack ?? err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${name}] console.${msg.type()}: ${msg.text()}`);
  });
}

export interface PersistentPeer extends Peer {
  /** Close the browser and delete its profile directory. */
  dispose(): Promise<void>;
}

/** A Chromium with a fresh profile directory of its own (deleted by `dispose`). */
export async function launchPersistent(name: string, baseURL?: string): Promise<PersistentPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'meshpad-e2e-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(dir, {
      headless: true,
      ...(EXECUTABLE_PATH ? { executablePath: EXECUTABLE_PATH } : {}),
      args: CHROMIUM_ARGS,
      permissions: [...PEER_PERMISSIONS],
      ...(baseURL ? { baseURL } : {}),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  logPage(page, name);
  guardNavigations(page, name);
  return {
    name,
    context,
    page,
    dispose: async () => {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- builds for the update flow ----

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let out = '';
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}

/** `vite build --outDir <outDir> --emptyOutDir` (vite's root is web/, so outDir must be absolute). */
export async function buildApp(outDir: string): Promise<void> {
  await run(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], 120_000);
  if (!existsSync(join(outDir, 'sw.js'))) throw new Error(`no sw.js in ${outDir}`);
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

export interface UpdatedBuild {
  /** The entry chunk (in both versions), e.g. `/assets/index-AbCd1234.js`. */
  oldScript: string;
  /** The script only v2 has (it sets the marker). */
  newScript: string;
}

/**
 * Make `to` a copy of the build `from` that is a new app version: v2 adds a new hashed script
 * (setting `globalThis[markerKey] = markerValue`) that index.html loads and sw.js precaches, and
 * index.html gets its new revision, so the browser sees a changed service worker. The built
 * chunks are left as they are: they import each other by file name, so renaming one breaks
 * the others.
 */
export function makeUpdatedBuild(from: string, to: string, markerKey: string, markerValue: string): UpdatedBuild {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  const indexPath = join(to, 'index.html');
  const index = readFileSync(indexPath, 'utf8');
  const m = /<script[^>]*\ssrc="(\/assets\/index-[A-Za-z0-9_-]+\.js)"/.exec(index);
  if (!m || !m[1]) throw new Error('no entry chunk in index.html');
  const oldScript = m[1];
  const markerJs = `globalThis[${JSON.stringify(markerKey)}] = ${JSON.stringify(markerValue)};\n`;
  // Same shape as Vite's names (8-char hash), so Workbox's hashed-URL rule (revision null) fits.
  const newScript = `/assets/build-marker-${md5(markerJs).slice(0, 8)}.js`;
  writeFileSync(join(to, newScript), markerJs);
  const newIndex = index.replace('</head>', `  <script type="module" src="${newScript}"></script>\n  </head>`);
  if (newIndex === index) throw new Error('no </head> in index.html');
  writeFileSync(indexPath, newIndex);

  const swPath = join(to, 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  const indexEntry = /\{url:"index\.html",revision:"([0-9a-f]+)"\}/;
  if (!indexEntry.test(sw)) throw new Error('sw.js does not precache index.html with a revision');
  writeFileSync(
    swPath,
    sw.replace(indexEntry, `{url:"${newScript.slice(1)}",revision:null},{url:"index.html",revision:"${md5(newIndex)}"}`),
  );
  return { oldScript, newScript };
}

// ---- service worker ----

/** Wait until a service worker is active for the page, and controls it (reloading once if needed). */
export async function waitForServiceWorkerControl(page: Page): Promise<{ reloaded: boolean; scriptURL: string }> {
  const readyScript = await page.evaluate(() =>
    Promise.race([
      navigator.serviceWorker.ready.then((r) => r.active?.scriptURL ?? ''),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('serviceWorker.ready not within 30 s')), 30_000)),
    ]),
  );
  let reloaded = false;
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    // clientsClaim is off: the page that installed the worker is not controlled until it loads again.
    await page.reload();
    reloaded = true;
  }
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
  const scriptURL = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
  return { reloaded, scriptURL: scriptURL || readyScript };
}

// ---- editing ----

/**
 * Insert `lines` one transaction each through the page's CodeMirror EditorView (as if typed or
 * pasted line by line): at the very start (each new line above the previous one) or at the end.
 * Returns false when the EditorView cannot be reached (internal `cmTile` / `cmView` DOM
 * properties of @codemirror/view), so the caller can fall back to the keyboard.
 */
export function bulkInsertViaView(page: Page, lines: readonly string[], where: 'start' | 'end'): Promise<boolean> {
  // The locator pierces the app's shadow roots (meshpad-app > meshpad-room > meshpad-editor).
  return editorOf(page).evaluate(
    (el, [ls, at]) => {
      interface ViewLike {
        state: { doc: { length: number } };
        dispatch(spec: { changes: { from: number; insert: string }; userEvent?: string }): void;
      }
      const content = el as Element & { cmTile?: { root?: { view?: ViewLike } }; cmView?: { rootView?: { view?: ViewLike } } };
      const view = content.cmTile?.root?.view ?? content.cmView?.rootView?.view;
      if (!view || typeof view.dispatch !== 'function') return false;
      for (const line of ls) {
        if (at === 'start') view.dispatch({ changes: { from: 0, insert: `${line}\n` }, userEvent: 'input.type' });
        else view.dispatch({ changes: { from: view.state.doc.length, insert: `\n${line}` }, userEvent: 'input.type' });
      }
      return true;
    },
    [lines, where] as const,
  );
}

/** The same through the keyboard (one insertText per line; slower, bounded by `lines.length`). */
export async function bulkInsertViaKeyboard(page: Page, lines: readonly string[], where: 'start' | 'end'): Promise<void> {
  for (const line of lines) {
    await page.keyboard.press(where === 'start' ? 'ControlOrMeta+Home' : 'ControlOrMeta+End');
    await page.keyboard.insertText(where === 'start' ? `${line}\n` : `\n${line}`);
  }
}

// ---- in-page clocks (Date.now() in the page: one machine, comparable with the runner's Date.now()) ----

interface ClockWindow {
  __mpSignalingAt?: number | null;
  __mpLinkOpenAt?: number | null;
  __mpAllLinesAt?: number | null;
  __mpClockTimer?: number;
}

/**
 * From now on, record in the page (2 ms polling, bounded by `maxMs`) the first time signaling is
 * connected, the first time its link to `peer` is open, and the first time its text holds every
 * one of `lines` as a line (trimmed).
 */
export async function armConvergenceClock(page: Page, peer: string, lines: readonly string[], maxMs: number): Promise<void> {
  await page.evaluate(
    ([id, want, max]) => {
      const w = window as unknown as ClockWindow;
      w.__mpSignalingAt = null;
      w.__mpLinkOpenAt = null;
      w.__mpAllLinesAt = null;
      if (w.__mpClockTimer) clearInterval(w.__mpClockTimer);
      const deadline = Date.now() + max;
      let lastText: string | null = null;
      w.__mpClockTimer = window.setInterval(() => {
        const t = Date.now();
        if (w.__mpSignalingAt === null && window.meshpad?.signalingPhase() === 'connected') w.__mpSignalingAt = t;
        if (w.__mpLinkOpenAt === null && (window.meshpad?.peers().includes(id) ?? false)) w.__mpLinkOpenAt = t;
        if (w.__mpAllLinesAt === null) {
          const text = window.meshpad?.text() ?? '';
          if (text !== lastText) {
            lastText = text;
            const have = new Set(text.split('\n').map((l) => l.trim()));
            if (want.every((l) => have.has(l))) w.__mpAllLinesAt = t;
          }
        }
        const done = w.__mpSignalingAt !== null && w.__mpLinkOpenAt !== null && w.__mpAllLinesAt !== null;
        if (done || t > deadline) clearInterval(w.__mpClockTimer);
      }, 2);
    },
    [peer, lines, maxMs] as const,
  );
}

export interface ConvergenceClock {
  signalingAt: number | null;
  linkOpenAt: number | null;
  allLinesAt: number | null;
}

export function convergenceClock(page: Page): Promise<ConvergenceClock> {
  return page.evaluate(() => {
    const w = window as unknown as ClockWindow;
    return { signalingAt: w.__mpSignalingAt ?? null, linkOpenAt: w.__mpLinkOpenAt ?? null, allLinesAt: w.__mpAllLinesAt ?? null };
  });
}

/** A fresh temporary directory (the caller deletes it). */
export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The document of the page's CodeMirror EditorView (what the editor holds), or null if unreachable. */
export function editorDocOf(page: Page): Promise<string | null> {
  return editorOf(page).evaluate((el) => {
    interface ViewLike {
      state: { doc: { toString(): string } };
    }
    const content = el as Element & { cmTile?: { root?: { view?: ViewLike } }; cmView?: { rootView?: { view?: ViewLike } } };
    const view = content.cmTile?.root?.view ?? content.cmView?.rootView?.view;
    return view ? view.state.doc.toString() : null;
  });
}

// ---- data-channel log (diagnostics of a failed resync) ----

/** One observed RTCDataChannel event: page time (Date.now()), channel label, what, bytes. */
export type ChannelLogEntry = [at: number, label: string, what: 'open' | 'close' | 'recv' | 'send', bytes: number];

/**
 * Init script: records open/close/receive/send of every `code-sync` RTCDataChannel of the page
 * in `window.__mpDcLog` (the last 400 entries), without changing what the app sees.
 */
export function installDataChannelLog(): void {
  const w = window as unknown as { __mpDcLog?: ChannelLogEntry[] };
  if (w.__mpDcLog) return;
  const log: ChannelLogEntry[] = [];
  w.__mpDcLog = log;
  const push = (entry: ChannelLogEntry) => {
    log.push(entry);
    if (log.length > 400) log.shift();
  };
  const size = (data: unknown): number =>
    typeof data === 'string' ? data.length : data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : data instanceof Blob ? data.size : -1;
  const watched = new WeakSet<RTCDataChannel>();
  const watch = (channel: RTCDataChannel) => {
    if (channel.label !== 'code-sync' || watched.has(channel)) return;
    watched.add(channel);
    channel.addEventListener('open', () => push([Date.now(), channel.label, 'open', 0]));
    channel.addEventListener('close', () => push([Date.now(), channel.label, 'close', 0]));
    channel.addEventListener('message', (event) => push([Date.now(), channel.label, 'recv', size((event as MessageEvent).data)]));
  };
  const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
    if (this.label === 'code-sync') push([Date.now(), this.label, 'send', size(data)]);
    return send.call(this, data);
  } as RTCDataChannel['send'];
  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<RTCPeerConnection['createDataChannel']>) {
    const channel = create.apply(this, args);
    watch(channel);
    return channel;
  };
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = new Proxy(Original, {
    construct(target, args: ConstructorParameters<typeof RTCPeerConnection>, newTarget) {
      const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
      pc.addEventListener('datachannel', (event) => watch(event.channel));
      return pc;
    },
  });
}

export function dataChannelLogOf(page: Page, since = 0): Promise<ChannelLogEntry[]> {
  return page.evaluate(
    (from) => ((window as unknown as { __mpDcLog?: ChannelLogEntry[] }).__mpDcLog ?? []).filter((e) => e[0] >= from),
    since,
  );
}

// ---- cleanup of whatever a test started (servers, browsers, directories), even when it fails ----

export const cleanups: Array<() => Promise<void> | void> = [];
/** Runs (in reverse) and forgets every cleanup the test registered; use as `test.afterEach(runCleanups)`. */
export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.log(`[offline] cleanup failed: ${String(error)}`);
    }
  }
}

export function ownServer(port: number): OwnServer {
  const persistDir = tempDir('meshpad-e2e-wrangler-');
  const server = new OwnServer(port, persistDir);
  cleanups.push(async () => {
    await server.kill();
    rmSync(persistDir, { recursive: true, force: true });
  });
  return server;
}

// ---- page helpers ----

/** The save indicator in the room header (`data-save` = loading|saving|saved|error). */
export const saveStateOf = (page: Peer['page']) => page.locator('meshpad-room header [data-save]');

/** Wait until the room's document is loaded from this device (the indicator left `loading`). */
export async function waitLoaded(page: Peer['page']): Promise<void> {
  await expect(editorOf(page)).toBeVisible();
  await expect(saveStateOf(page)).toHaveAttribute('data-save', /^(saving|saved)$/);
}

