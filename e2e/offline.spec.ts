/**
 * Offline-first PWA end to end: installability, the app shell and a room's text without any
 * network, edits that survive an immediate reload, two peers that edit apart (no signaling, no
 * P2P link) and converge after the server comes back, and the service-worker update prompt.
 *
 * Runs inside the loopback-only namespace of `npm run test:e2e`. Tests that must kill or swap
 * the server run a wrangler of their own (e2e/offline-helpers.ts OwnServer) on ports above the
 * shared one; everything they start is killed in afterEach. Times are printed as `[metric]`
 * lines; nothing here asserts on timing.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRoom,
  editorOf,
  expect,
  focusEditorEnd,
  metric,
  now,
  peersOf,
  roomStatusOf,
  signalingPhaseOf,
  test,
  textOf,
  waitForPeer,
  waitForSelfId,
  type Peer,
} from './fixtures';
import {
  OwnServer,
  SHARED_PORT,
  armConvergenceClock,
  buildApp,
  bulkInsertViaKeyboard,
  bulkInsertViaView,
  convergenceClock,
  dataChannelLogOf,
  editorDocOf,
  installDataChannelLog,
  launchPersistent,
  makeUpdatedBuild,
  tempDir,
  waitForServiceWorkerControl,
} from './offline-helpers';

/** Ports of this file's own servers (the reconnection tests use SHARED_PORT + 1). */
const RESYNC_PORT = SHARED_PORT + 10;
const UPDATE_PORT = SHARED_PORT + 11;

// ---- cleanup of whatever a test started (servers, browsers, directories), even when it fails ----

const cleanups: Array<() => Promise<void> | void> = [];
test.afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.log(`[offline] cleanup failed: ${String(error)}`);
    }
  }
});

function ownServer(port: number): OwnServer {
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
const saveStateOf = (page: Peer['page']) => page.locator('meshpad-room header [data-save]');

/** Wait until the room's document is loaded from this device (the indicator left `loading`). */
async function waitLoaded(page: Peer['page']): Promise<void> {
  await expect(editorOf(page)).toBeVisible();
  await expect(saveStateOf(page)).toHaveAttribute('data-save', /^(saving|saved)$/);
}

/** One line per peer: signaling phase and status line, link states, open peers, text size, clocks. */
async function describeRoomState(peers: readonly Peer[]): Promise<string> {
  const parts = await Promise.all(
    peers.map(async (p) => {
      const state = await p.page
        .evaluate(() => ({
          self: window.meshpad?.selfId() ?? null,
          signaling: window.meshpad?.signalingPhase() ?? null,
          links: window.meshpad?.linkStates() ?? null,
          peers: window.meshpad?.peers() ?? null,
          chars: window.meshpad?.text().length ?? null,
          lines: window.meshpad?.text().split('\n').length ?? null,
        }))
        .catch((error: unknown) => ({ error: String(error) }));
      const status = await roomStatusOf(p.page)
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      return `${p.name}: ${JSON.stringify(state)} status="${status?.trim() ?? '?'}" clock=${JSON.stringify(await convergenceClock(p.page).catch(() => null))}`;
    }),
  );
  return `\n  ${parts.join('\n  ')}`;
}

const updatePromptOf = (page: Peer['page']) => page.getByRole('alert').filter({ hasText: 'Update available' });

// ---- 1 ----

test('the app is installable: no installability errors, an active service worker, a manifest whose icons all load at their declared sizes', async ({
  baseURL,
}) => {
  const peer = await launchPersistent('P', baseURL);
  cleanups.push(() => peer.dispose());
  const { page } = peer;

  const t0 = now();
  await test.step('open a room page in a persistent (non-incognito) profile', async () => {
    await createRoom(page);
    await waitForSelfId(page);
  });

  await test.step('CDP Page.getInstallabilityErrors is []', async () => {
    const cdp = await peer.context.newCDPSession(page);
    let last: unknown = null;
    await expect
      .poll(
        async () => {
          const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
          last = installabilityErrors;
          return installabilityErrors;
        },
        { message: 'installability errors', timeout: 20_000 },
      )
      .toEqual([]);
    metric('installability: room page.goto → no installability errors', now() - t0);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors, `manifest parse errors (last installability: ${JSON.stringify(last)})`).toEqual([]);
    expect(new URL(manifest.url).pathname).toBe('/manifest.webmanifest');
  });

  await test.step('navigator.serviceWorker.ready resolves with an activated /sw.js', async () => {
    const sw = await page.evaluate(async () => {
      const registration = await Promise.race([
        navigator.serviceWorker.ready,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('serviceWorker.ready not within 30 s')), 30_000)),
      ]);
      const active = registration.active;
      if (active && active.state !== 'activated') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          active.addEventListener('statechange', () => {
            if (active.state === 'activated') {
              clearTimeout(timer);
              resolve();
            }
          });
        });
      }
      return { scope: registration.scope, scriptURL: active?.scriptURL ?? null, state: active?.state ?? null };
    });
    metric('installability: room page.goto → service worker activated', now() - t0);
    expect(sw.state).toBe('activated');
    expect(new URL(sw.scriptURL ?? 'about:blank').pathname).toBe('/sw.js');
    expect(new URL(sw.scope).pathname).toBe('/');
  });

  await test.step('the manifest parses, and every icon is a 200 image/png that decodes at its declared size', async () => {
    const report = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')?.href ?? null;
      if (!href) return { href, error: 'no <link rel="manifest">' } as const;
      const res = await fetch(href, { cache: 'no-store' });
      const manifest = (await res.json()) as {
        name?: string;
        short_name?: string;
        start_url?: string;
        display?: string;
        icons?: Array<{ src: string; sizes?: string; type?: string; purpose?: string }>;
      };
      const icons = [];
      for (const icon of manifest.icons ?? []) {
        const url = new URL(icon.src, href).toString();
        const r = await fetch(url, { cache: 'no-store' });
        const blob = await r.blob();
        let decoded: { width: number; height: number } | null = null;
        let decodeError: string | null = null;
        try {
          const bitmap = await createImageBitmap(blob);
          decoded = { width: bitmap.width, height: bitmap.height };
          bitmap.close();
        } catch (error) {
          decodeError = String(error);
        }
        icons.push({ src: icon.src, sizes: icon.sizes ?? '', type: icon.type ?? '', status: r.status, contentType: r.headers.get('content-type'), decoded, decodeError });
      }
      return { href, status: res.status, contentType: res.headers.get('content-type'), manifest, icons };
    });
    if ('error' in report) throw new Error(report.error);
    expect(report.status).toBe(200);
    expect(new URL(report.href).pathname).toBe('/manifest.webmanifest');
    const { manifest, icons } = report;
    expect(manifest.name, 'manifest.name').toBeTruthy();
    expect(manifest.start_url, 'manifest.start_url').toBeTruthy();
    expect(['standalone', 'fullscreen', 'minimal-ui']).toContain(manifest.display);
    expect(icons.length, 'manifest lists icons').toBeGreaterThan(0);
    const sizes = new Set<number>();
    for (const icon of icons) {
      expect.soft(icon.status, `${icon.src}: HTTP status`).toBe(200);
      expect.soft(icon.contentType ?? '', `${icon.src}: Content-Type`).toMatch(/^image\/png\b/);
      expect.soft(icon.type, `${icon.src}: declared type`).toBe('image/png');
      expect.soft(icon.decodeError, `${icon.src}: decodes as an image`).toBeNull();
      const declared = icon.sizes.split(/\s+/).filter(Boolean);
      expect.soft(declared.length, `${icon.src}: declares its size`).toBeGreaterThan(0);
      for (const size of declared) {
        const m = /^(\d+)x(\d+)$/.exec(size);
        expect.soft(m, `${icon.src}: size "${size}" is WxH`).not.toBeNull();
        if (!m) continue;
        expect.soft(icon.decoded, `${icon.src}: decoded size = declared ${size}`).toEqual({ width: Number(m[1]), height: Number(m[2]) });
        sizes.add(Number(m[1]));
      }
    }
    expect([...sizes], 'icons of 192 and 512 px').toEqual(expect.arrayContaining([192, 512]));
  });
});

// ---- 2 ----

test('offline, a reload of the room link shows the app and the room text from this device, says signaling is offline, and the home page lists the room', async ({
  openPeers,
}) => {
  const [a] = await openPeers(1);
  if (!a) throw new Error('no peer');
  const { page, context } = a;
  const text = 'export const offline = "works";';

  const room = await test.step('open a room, type, wait until saved on this device', async () => {
    const r = await createRoom(page);
    await waitLoaded(page);
    await focusEditorEnd(page);
    await page.keyboard.type(text);
    await expect.poll(() => textOf(page)).toBe(text);
    await expect(saveStateOf(page)).toHaveAttribute('data-save', 'saved');
    return r;
  });

  await test.step('the service worker controls the page', async () => {
    const t0 = now();
    const { reloaded, scriptURL } = await waitForServiceWorkerControl(page);
    metric(`offline shell: service worker in control${reloaded ? ' (after one reload)' : ''}`, now() - t0);
    expect(new URL(scriptURL).pathname).toBe('/sw.js');
    await expect.poll(() => textOf(page), { message: 'the text survives the reload' }).toBe(text);
  });

  await test.step('the network goes away', async () => {
    await context.setOffline(true);
    const reachable = await page.evaluate(() =>
      fetch('/api/health', { cache: 'no-store' }).then(
        () => true,
        () => false,
      ),
    );
    expect(reachable, 'GET /api/health fails while offline').toBe(false);
  });

  await test.step('reload /r/<id>#<secret>: the app shell and the room text come from this device', async () => {
    const t0 = now();
    const response = await page.reload();
    expect(page.url()).toBe(room.url);
    expect(response?.fromServiceWorker(), 'the navigation is answered by the service worker').toBe(true);
    await expect(editorOf(page)).toBeVisible();
    await expect.poll(() => textOf(page), { message: 'meshpad.text() after the offline reload' }).toBe(text);
    metric('offline shell: reload → editor shows the stored text', now() - t0);
    await expect(editorOf(page)).toContainText(text);
    await expect(saveStateOf(page)).toHaveAttribute('data-save', 'saved');
  });

  await test.step('the status line says signaling is offline', async () => {
    await expect(roomStatusOf(page)).toHaveText(/signaling (offline|failed)/, { timeout: 30_000 });
    await expect(page.locator('meshpad-room header [data-overall]')).toHaveAttribute('data-overall', 'offline');
    console.log(`[offline] status line while offline: "${(await roomStatusOf(page).textContent())?.trim()}"`);
  });

  await test.step('the home page, offline, lists the room under "Recent rooms", and the link reopens it', async () => {
    const response = await page.goto('/');
    expect(response?.fromServiceWorker(), 'the navigation is answered by the service worker').toBe(true);
    const recent = page.getByRole('list', { name: 'Recent rooms' });
    await expect(recent).toBeVisible();
    const link = recent.locator(`a[href*="${room.roomId}"]`);
    await expect(link).toHaveCount(1);
    await link.click();
    await expect(page).toHaveURL(room.url);
    await expect.poll(() => textOf(page), { message: 'the room reopened from the list, offline' }).toBe(text);
  });
});

// ---- 3 ----

test('edits typed right before a reload survive: 5 reloads, each right after typing a token, lose none', async ({ openPeers }) => {
  const [a] = await openPeers(1);
  if (!a) throw new Error('no peer');
  const { page } = a;
  await createRoom(page);
  await waitLoaded(page);

  const tokens: string[] = [];
  const loadTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const token = `tok${i}_${Math.random().toString(36).slice(2, 8)}`;
    await test.step(`type "${token}" and reload at once`, async () => {
      await focusEditorEnd(page);
      // Real keystrokes, odd rounds; one input event (paste-like), even rounds. No wait for "saved".
      if (i % 2 === 0) await page.keyboard.insertText(` ${token}`);
      else await page.keyboard.type(` ${token}`);
      tokens.push(token);
      const t0 = now();
      await page.reload();
      await waitLoaded(page);
      loadTimes.push(now() - t0);
      const got = (await textOf(page)) ?? '';
      for (const t of tokens) expect.soft(got, `after reload ${i + 1}: "${t}" is in the text`).toContain(t);
    });
  }

  await test.step('after the last load every token is in the text, in order', async () => {
    const got = (await textOf(page)) ?? '';
    expect(got).toBe(tokens.map((t) => ` ${t}`).join(''));
    await expect(editorOf(page)).toContainText(tokens.join(' '));
  });
  metric(`reload right after typing: reload → document loaded, max of ${loadTimes.length}`, Math.max(...loadTimes));
});

// ---- 4 ----

const LINES_EACH = 500;
const pad = (i: number) => String(i).padStart(4, '0');

test('peers that edit apart (no signaling, no P2P link: 500+ lines each, also at the same place) converge after the server returns', async ({
  openPeers,
}) => {
  test.setTimeout(240_000);
  const server = ownServer(RESYNC_PORT);
  await test.step(`start a server of this test's own on ${server.origin}`, () => server.start());

  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  for (const p of [a, b]) await p.context.addInitScript(installDataChannelLog);

  const { aId, bId } = await test.step('A creates a room, B joins, they co-edit', async () => {
    const room = await createRoom(a.page, server.origin);
    const aId = await waitForSelfId(a.page);
    await b.page.goto(room.url);
    const bId = await waitForSelfId(b.page);
    await waitForPeer(a.page, bId);
    await waitForPeer(b.page, aId);
    await focusEditorEnd(a.page);
    await a.page.keyboard.type('shared();');
    await expect.poll(() => textOf(b.page)).toBe('shared();');
    await focusEditorEnd(b.page);
    await b.page.keyboard.type(' both();');
    await expect.poll(() => textOf(a.page)).toBe('shared(); both();');
    return { aId, bId };
  });

  await test.step('cut them apart: kill the server, then close the P2P link', async () => {
    await server.kill();
    for (const p of [a, b]) {
      await expect.poll(() => signalingPhaseOf(p.page), { message: `${p.name}: signaling lost` }).not.toBe('connected');
    }
    expect(await a.page.evaluate((id) => window.meshpad?.closeConnection(id) ?? false, bId), 'A closes its connection to B').toBe(true);
    await expect.poll(async () => (await peersOf(a.page)) ?? [], { message: 'A: link to B closed' }).not.toContain(bId);
    await expect.poll(async () => (await peersOf(b.page)) ?? [], { message: 'B: link to A closed' }).not.toContain(aId);
  });

  const aLines = Array.from({ length: LINES_EACH }, (_, i) => `A-line-${pad(i)};`);
  const bLines = Array.from({ length: LINES_EACH }, (_, i) => `B-line-${pad(i)};`);
  const typed = ['typedByA();', 'typedByB();'];

  await test.step('both type at the same place (the very start) with real keystrokes', async () => {
    for (const [p, token] of [
      [a, typed[0]],
      [b, typed[1]],
    ] as const) {
      await editorOf(p.page).focus();
      await p.page.keyboard.press('ControlOrMeta+Home');
      await p.page.keyboard.type(token ?? '');
      await p.page.keyboard.press('Enter');
    }
  });

  await test.step(`A appends ${LINES_EACH} lines at the end, B inserts ${LINES_EACH} at the start (one editor transaction per line)`, async () => {
    for (const [p, lines, where] of [
      [a, aLines, 'end'],
      [b, bLines, 'start'],
    ] as const) {
      const t0 = now();
      if (!(await bulkInsertViaView(p.page, lines, where))) {
        console.log(`[offline] ${p.name}: EditorView not reachable from the DOM, typing the lines instead`);
        await bulkInsertViaKeyboard(p.page, lines, where);
      }
      metric(`offline edits: ${p.name} ${lines.length} lines (${where})`, now() - t0);
    }
    const aText = (await textOf(a.page)) ?? '';
    const bText = (await textOf(b.page)) ?? '';
    for (const [name, t, own, other] of [
      ['A', aText, [...aLines, typed[0]], [...bLines, typed[1]]],
      ['B', bText, [...bLines, typed[1]], [...aLines, typed[0]]],
    ] as const) {
      const have = new Set(t.split('\n').map((l) => l.trim()));
      expect(own.filter((l) => !have.has(l ?? '')), `${name} holds all of its own lines`).toEqual([]);
      expect(other.filter((l) => have.has(l ?? '')), `${name} has none of the other side's lines yet`).toEqual([]);
    }
    expect(await editorDocOf(a.page)).toBe(aText);
    expect(await editorDocOf(b.page)).toBe(bText);
    // Still apart: nothing above could have travelled.
    expect(await peersOf(a.page)).not.toContain(bId);
    expect(await peersOf(b.page)).not.toContain(aId);
  });

  const expected = [...aLines, ...bLines, ...typed, 'shared(); both();'];
  for (const p of [a, b]) await armConvergenceClock(p.page, p === a ? bId : aId, expected, 180_000);

  const restartAt = Date.now();
  await test.step('restart the server on the same port and state directory', async () => {
    await server.start();
    metric('resync: server spawn → healthy', Date.now() - restartAt);
  });
  const healthyAt = Date.now();

  const text = await test.step('both reconnect and hold identical documents with every line of both sides', async () => {
    // Signaling backoff is capped at 30 s (full jitter) per attempt: allow a few cap-long waits.
    let lastReport = Date.now();
    try {
      await expect
        .poll(
          async () => {
            const [ta, tb, ca, cb] = await Promise.all([textOf(a.page), textOf(b.page), convergenceClock(a.page), convergenceClock(b.page)]);
            if (Date.now() - lastReport > 20_000) {
              lastReport = Date.now();
              console.log(`[offline] waiting for convergence: ${await describeRoomState([a, b])}`);
            }
            return ta !== null && ta === tb && ca.allLinesAt !== null && cb.allLinesAt !== null;
          },
          { message: 'A and B identical, with all lines', timeout: 120_000, intervals: [50] },
        )
        .toBe(true);
    } catch (error) {
      console.log(`[offline] not converged: ${await describeRoomState([a, b])}`);
      for (const p of [a, b]) {
        const log = await dataChannelLogOf(p.page, restartAt).catch(() => []);
        const clock = await convergenceClock(p.page).catch(() => null);
        const rel = (t: number) => `${t - restartAt}`.padStart(6);
        console.log(
          `[offline] ${p.name} code-sync channel since the restart (ms after spawn; link open in the app at ${clock?.linkOpenAt ? rel(clock.linkOpenAt) : '—'}):\n` +
            log.map(([t, , what, bytes]) => `    ${rel(t)} ${what} ${bytes} B`).join('\n'),
        );
      }
      throw error;
    }
    return (await textOf(a.page)) ?? '';
  });

  await test.step('the documents are identical, hold every line once, and the editors show them', async () => {
    expect(await textOf(b.page)).toBe(text);
    const lines = text.split('\n').map((l) => l.trim());
    for (const want of expected) expect.soft(lines.filter((l) => l === want).length, `"${want}" exactly once`).toBe(1);
    expect(lines.length, 'no extra lines beyond a blank one or two').toBeLessThanOrEqual(expected.length + 2);
    await expect.poll(() => editorDocOf(a.page), { message: 'A: the editor holds the merged document' }).toBe(text);
    await expect.poll(() => editorDocOf(b.page), { message: 'B: the editor holds the merged document' }).toBe(text);
    // B's block stays in B's order (each line inserted above the previous one).
    const bOrder = lines.filter((l) => l.startsWith('B-line-'));
    expect(bOrder).toEqual([...bLines].reverse());
    expect(lines.filter((l) => l.startsWith('A-line-'))).toEqual(aLines);
  });

  const [ca, cb] = await Promise.all([convergenceClock(a.page), convergenceClock(b.page)]);
  const identicalAt = Math.max(ca.allLinesAt ?? Number.NaN, cb.allLinesAt ?? Number.NaN);
  const linkOpenAt = Math.min(ca.linkOpenAt ?? Number.NaN, cb.linkOpenAt ?? Number.NaN);
  metric('resync: server spawn → identical documents', identicalAt - restartAt);
  metric('resync: server healthy → identical documents', identicalAt - healthyAt);
  metric('resync: server healthy → signaling connected (A, B)', `${(ca.signalingAt ?? Number.NaN) - healthyAt} ms, ${(cb.signalingAt ?? Number.NaN) - healthyAt} ms`, '');
  metric('resync: server healthy → link open', linkOpenAt - healthyAt);
  metric('resync: link open → identical documents', identicalAt - linkOpenAt);
  metric('resync: merged document', text.length, 'chars');
});

// ---- 5 ----

const MARKER = '__meshpadE2EBuild';

test('a new version on the server shows "Update available"; Reload runs the new version', async ({ openPeers }) => {
  test.setTimeout(180_000);
  const dir = tempDir('meshpad-e2e-builds-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const v1 = join(dir, 'v1');
  const v2 = join(dir, 'v2');

  const { oldScript, newScript } = await test.step('build v1 (vite build into a directory of its own) and derive v2', async () => {
    const t0 = now();
    await buildApp(v1);
    metric('update: vite build', now() - t0);
    return makeUpdatedBuild(v1, v2, MARKER, 'v2');
  });

  const server = ownServer(UPDATE_PORT);
  await test.step(`serve v1 on ${server.origin}`, () => server.start(v1));

  const [a] = await openPeers(1);
  if (!a) throw new Error('no peer');
  const { page } = a;
  const scriptSrcs = () =>
    page.evaluate(() => Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).map((s) => new URL(s.src).pathname));
  const marker = () => page.evaluate((key) => (globalThis as Record<string, unknown>)[key] ?? null, MARKER);

  const room = await test.step('open a room on v1; the service worker controls the page', async () => {
    const r = await createRoom(page, server.origin);
    await waitLoaded(page);
    await waitForServiceWorkerControl(page);
    await waitLoaded(page);
    await focusEditorEnd(page);
    await page.keyboard.type('before();');
    await expect(saveStateOf(page)).toHaveAttribute('data-save', 'saved');
    expect(await scriptSrcs()).toContain(oldScript);
    expect(await marker()).toBeNull();
    await expect(updatePromptOf(page)).toHaveCount(0);
    return r;
  });

  await test.step('the server now serves v2 (same origin)', async () => {
    await server.kill();
    await server.start(v2);
  });

  const t0 = now();
  await test.step('an update check finds v2: "Update available" with a Reload button', async () => {
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      if (!registration) throw new Error('no service worker registration');
      await registration.update();
    });
    await expect(updatePromptOf(page)).toBeVisible({ timeout: 30_000 });
    metric('update: update() → prompt visible', now() - t0);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(true);
    // Still v1 until the user agrees.
    expect(await marker()).toBeNull();
  });

  await test.step('Reload activates v2 and the page runs it', async () => {
    const t1 = now();
    const loaded = page.waitForEvent('load', { timeout: 30_000 });
    await updatePromptOf(page).getByRole('button', { name: 'Reload' }).click();
    await loaded;
    await expect.poll(marker, { message: 'the v2 marker is set by the running script' }).toBe('v2');
    metric('update: Reload click → v2 running', now() - t1);
    expect(page.url()).toBe(room.url);
    expect(await scriptSrcs()).toContain(newScript);
    const sw = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        controller: navigator.serviceWorker.controller?.scriptURL ?? null,
        active: registration?.active?.state ?? null,
        waiting: registration?.waiting !== null && registration?.waiting !== undefined,
      };
    });
    expect(sw).toEqual({ controller: `${server.origin}/sw.js`, active: 'activated', waiting: false });
    await expect(updatePromptOf(page)).toHaveCount(0);
    await waitLoaded(page);
    await expect.poll(() => textOf(page), { message: 'the room text survives the update' }).toBe('before();');
  });
});
