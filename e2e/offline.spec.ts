/**
 * Offline-first PWA end to end: installability, the app shell and a room's text without any
 * network, and edits that survive an immediate reload. Runs inside the loopback-only namespace
 * of `npm run test:e2e`; times are printed as `[metric]` lines, nothing asserts on timing.
 */
import {
  createRoom,
  editorOf,
  expect,
  focusEditorEnd,
  metric,
  now,
  roomStatusOf,
  test,
  textOf,
  waitForSelfId,
} from './fixtures';
import {
  launchPersistent,
  waitForServiceWorkerControl,
  cleanups,
  runCleanups,
  saveStateOf,
  waitLoaded,
} from './offline-helpers';

test.afterEach(runCleanups);


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
