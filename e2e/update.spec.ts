/**
 * The service-worker update flow: a new build on the server shows "Update available", and
 * Reload runs the new version. Serves its own builds with its own wrangler (killed in afterEach).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRoom,
  expect,
  focusEditorEnd,
  metric,
  now,
  test,
  textOf,
  type Peer,
} from './fixtures';
import {
  SHARED_PORT,
  buildApp,
  makeUpdatedBuild,
  tempDir,
  waitForServiceWorkerControl,
  cleanups,
  ownServer,
  runCleanups,
  saveStateOf,
  waitLoaded,
} from './offline-helpers';

test.afterEach(runCleanups);

/** This file's own server port. */
const UPDATE_PORT = SHARED_PORT + 11;

const updatePromptOf = (page: Peer['page']) => page.getByRole('alert').filter({ hasText: 'Update available' });


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
