/**
 * Invites (issue 5), real Chromium against real `wrangler dev`: the QR code decodes to the room
 * link, the in-app scanner reads it from Chromium's fake camera, join codes connect two browsers
 * (and a wrong or expired code is refused clearly), the invite service never sees the words or
 * the room secret (its test-only audit log, INVITE_TEST_HOOKS=1), and the phone layout fits.
 */
import { chromium, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, EXECUTABLE_PATH } from './chromium';
import { writeY4m } from './fake-camera';
import { guardNavigations } from './navigation-guard.ts';
import { createRoom, editorTextOf, expect, focusEditorEnd, metric, now, PEER_PERMISSIONS, test } from './fixtures';

const sharePanel = (page: Page) => page.locator('meshpad-share-panel');
const qrCanvas = (page: Page) => sharePanel(page).locator('canvas');
const joinInput = (page: Page) => page.getByRole('textbox', { name: 'Join code' });

/** Shows the QR code and decodes a screenshot of it; returns the text and the PNG. */
async function decodeShownQr(page: Page): Promise<{ text: string | null; png: PNG }> {
  await sharePanel(page).getByRole('button', { name: 'QR code' }).click();
  await expect(qrCanvas(page)).toHaveAttribute('data-link', /\/r\//);
  // Drawn: qrcode sizes the canvas square (a blank canvas is 300 × 150, wide enough to pass a width check alone).
  await expect.poll(() => qrCanvas(page).evaluate((c: HTMLCanvasElement) => (c.width === c.height ? c.width : 0))).toBeGreaterThan(100);
  const box = await qrCanvas(page).boundingBox();
  expect(box && Math.abs(box.width - box.height), 'QR code is square on screen').toBeLessThan(1);
  const png = PNG.sync.read(await qrCanvas(page).screenshot());
  const decoded = jsQR(Uint8ClampedArray.from(png.data), png.width, png.height);
  return { text: decoded?.data ?? null, png };
}

/** Starts "Invite with a code" in the room and returns the code shown. */
async function inviteCode(page: Page): Promise<{ code: string; nameplate: string; words: [string, string] }> {
  await sharePanel(page).getByRole('button', { name: /Invite with a code|New code/ }).click();
  const shown = sharePanel(page).locator('[data-join-code]');
  await expect(shown).toBeVisible();
  const code = (await shown.getAttribute('data-join-code')) ?? '';
  const m = /^(\d+)-([a-z]+)-([a-z]+)$/.exec(code);
  if (!m) throw new Error(`unexpected code ${code}`);
  return { code, nameplate: m[1]!, words: [m[2]!, m[3]!] };
}

async function typeCode(page: Page, text: string): Promise<void> {
  if (new URL(page.url()).pathname !== '/') await page.goto('/');
  await joinInput(page).fill(text);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
}

async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what}: page wider than the viewport`).toBeLessThanOrEqual(0);
}

async function expectWithinViewport(page: Page, locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, `${what} is rendered`).not.toBeNull();
  expect(box!.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge`).toBeLessThanOrEqual(width + 0.5);
}

test('the QR code in the share panel decodes to exactly the room link, and Copy copies that link', async ({ openPeers }) => {
  const [a] = await openPeers(1);
  const { url } = await createRoom(a!.page);
  const { text, png } = await decodeShownQr(a!.page);
  expect(text).toBe(url);
  metric('QR code on screen (desktop, dpr 1)', png.width, 'px');

  await a!.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await sharePanel(a!.page).getByRole('button', { name: 'Copy' }).click();
  await expect(sharePanel(a!.page).getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await a!.page.evaluate(() => navigator.clipboard.readText())).toBe(url);
});

test('in-app scan with the fake camera of a video of that QR lands in the same room', async ({ openPeers, baseURL }, testInfo) => {
  const [a] = await openPeers(1);
  const { url } = await createRoom(a!.page);
  await focusEditorEnd(a!.page);
  await a!.page.keyboard.type('scanned-room-marker');
  const { png } = await decodeShownQr(a!.page);
  const video = testInfo.outputPath('room-qr.y4m');
  writeY4m(video, { width: png.width, height: png.height, data: png.data });

  const browser = await test.step('launch a browser whose camera shows the QR code', () =>
    chromium.launch({
      ...(EXECUTABLE_PATH ? { executablePath: EXECUTABLE_PATH } : {}),
      args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
      timeout: 20_000,
    }),
  );
  try {
    const context = await browser.newContext({ baseURL, permissions: [...PEER_PERMISSIONS] });
    // Every action bounded well inside the test's minute, so a hang names its step.
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    guardNavigations(page, 'scanner');
    await test.step('open the home page', () => page.goto('/'));
    const started = now();
    await test.step('scan: the camera shows the QR code, the page goes to the room', async () => {
      await page.getByRole('button', { name: 'Scan invite' }).click();
      await expect(page).toHaveURL(url);
    });
    metric('Scan invite → in the room', now() - started);
    await test.step('the room text arrives from A', () => expect.poll(() => editorTextOf(page), { timeout: 20_000 }).toContain('scanned-room-marker'));
  } finally {
    await browser.close();
  }
});

test('the scanner says "not a Meshpad invite" for another QR code', async ({ baseURL }, testInfo) => {
  const QRCode = (await import('qrcode')).default;
  const file = testInfo.outputPath('other-qr.png');
  await QRCode.toFile(file, 'https://example.org/not-meshpad', { scale: 6, margin: 4 });
  const png = PNG.sync.read((await import('node:fs')).readFileSync(file));
  const video = testInfo.outputPath('other-qr.y4m');
  writeY4m(video, { width: png.width, height: png.height, data: png.data });
  const browser = await chromium.launch({
    ...(EXECUTABLE_PATH ? { executablePath: EXECUTABLE_PATH } : {}),
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const page = await (await browser.newContext({ baseURL, permissions: [...PEER_PERMISSIONS] })).newPage();
    guardNavigations(page, 'scanner');
    await page.goto('/');
    await page.getByRole('button', { name: 'Scan invite' }).click();
    await expect(page.getByRole('alert')).toContainText('not a Meshpad invite');
    expect(new URL(page.url()).pathname).toBe('/');
  } finally {
    await browser.close();
  }
});

test('camera denial is explained', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, permissions: [] });
  try {
    const page = await context.newPage();
    guardNavigations(page, 'no camera');
    await page.goto('/');
    await page.getByRole('button', { name: 'Scan invite' }).click();
    await expect(page.getByRole('alert')).toContainText(/Camera access was denied|No camera was found/);
  } finally {
    await context.close();
  }
});

test('a join code connects B to A’s room, they co-edit, and the invite service never sees the words or the secret', async ({ openPeers, request }) => {
  const [a, b] = await openPeers(2);
  const { url, roomId, secret } = await createRoom(a!.page);
  const { code, nameplate, words } = await inviteCode(a!.page);

  // Forgiving input: capitals and spaces, the last word completed from a suggestion.
  await b!.page.goto('/');
  await joinInput(b!.page).fill(`${nameplate} ${words[0].toUpperCase()} ${words[1].slice(0, 3)}`);
  await b!.page.getByRole('button', { name: code, exact: true }).click();
  await expect(joinInput(b!.page)).toHaveValue(code);
  const started = now();
  await b!.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(b!.page).toHaveURL(url);
  metric('Join clicked → in the room (PAKE + mailbox)', now() - started);
  await expect(sharePanel(a!.page).locator('[data-invite="done"]')).toBeVisible();

  await focusEditorEnd(a!.page);
  await a!.page.keyboard.type('from A.');
  await expect.poll(() => editorTextOf(b!.page), { timeout: 30_000 }).toContain('from A.');
  await focusEditorEnd(b!.page);
  await b!.page.keyboard.type(' from B.');
  await expect.poll(() => editorTextOf(a!.page)).toContain('from A. from B.');

  const res = await request.get('/api/invites/audit');
  expect(res.ok()).toBe(true);
  const { entries } = (await res.json()) as { entries: string[] };
  const seen = entries.join('\n');
  // It did see this invite (the claim of our nameplate) …
  expect(seen).toContain(`"nameplate":${nameplate}`);
  // … but never the words, the code as typed, the room secret or even the room id.
  for (const secretPart of [...words, code, secret, roomId, words[0].toUpperCase()]) {
    expect(seen, `the invite service received "${secretPart}"`).not.toContain(secretPart);
  }
});

test('a wrong code burns it: both sides are told, and the right words no longer work', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  await createRoom(a!.page);
  const { code, nameplate, words } = await inviteCode(a!.page);
  const wrong = `${nameplate}-${words[0]}-${words[1] === 'acorn' ? 'agent' : 'acorn'}`;

  await typeCode(b!.page, wrong);
  await expect(b!.page.getByRole('alert')).toContainText('did not match');
  await expect(sharePanel(a!.page).locator('[data-invite-failure="wrong-code"]')).toContainText('burned');
  expect(new URL(b!.page.url()).pathname).toBe('/');

  await typeCode(b!.page, code);
  await expect(b!.page.getByRole('alert')).toContainText('already been used');
});

test('an expired code is refused with a clear message', async ({ openPeers, baseURL }) => {
  // A code with a 1-second lifetime (test hook), allocated by a bare mailbox client.
  const ws = new WebSocket(`${baseURL!.replace(/^http/, 'ws')}/api/invites/ws?ttl=1`);
  const frames: { type: string; nameplate?: number; reason?: string }[] = [];
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
  ws.on('open', () => ws.send(JSON.stringify({ type: 'allocate', v: 1 })));
  await closed;
  expect(frames.map((f) => f.type)).toEqual(['allocated', 'closed']);
  expect(frames[1]!.reason).toBe('expired');

  const [b] = await openPeers(1);
  await typeCode(b!.page, `${frames[0]!.nameplate}-amber-lagoon`);
  await expect(b!.page.getByRole('alert')).toContainText('expired');
});

test('a malformed code is explained before anything is sent', async ({ openPeers }) => {
  const [b] = await openPeers(1);
  await typeCode(b!.page, 'amber lagoon');
  await expect(b!.page.getByRole('alert')).toContainText('starts with a number');
  await typeCode(b!.page, '7-amber-xylophone');
  await expect(b!.page.getByRole('alert')).toContainText('"xylophone" is not one of the code words');
});

test('phone layout at 360×740: home, room and share panel fit without horizontal scrolling', async ({ browser, baseURL }, testInfo) => {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    permissions: [...PEER_PERMISSIONS],
  });
  try {
    const page = await context.newPage();
    guardNavigations(page, 'phone');
    await page.goto('/');
    await expect(joinInput(page)).toBeVisible();
    await expectNoHorizontalOverflow(page, 'home');
    await expectWithinViewport(page, joinInput(page), 'join code field');
    await page.screenshot({ path: testInfo.outputPath('phone-home.png'), fullPage: true });

    await page.getByRole('button', { name: 'New room' }).tap();
    await expect(page).toHaveURL(/\/r\//);
    const url = page.url();
    await expect(page.locator('meshpad-editor .cm-content')).toBeVisible();
    await expectNoHorizontalOverflow(page, 'room');
    await page.screenshot({ path: testInfo.outputPath('phone-room.png') });

    await sharePanel(page).scrollIntoViewIfNeeded();
    await sharePanel(page).getByRole('button', { name: 'QR code' }).tap();
    await expect(qrCanvas(page)).toHaveAttribute('data-link', url);
    await sharePanel(page).getByRole('button', { name: 'Invite with a code' }).tap();
    await expect(sharePanel(page).locator('[data-join-code]')).toBeVisible();
    await expectNoHorizontalOverflow(page, 'share panel');
    for (const [what, el] of [
      ['share panel', sharePanel(page)],
      ['QR code', qrCanvas(page)],
      ['join code', sharePanel(page).locator('[data-join-code]')],
      ['room link field', sharePanel(page).getByRole('textbox', { name: 'Room link' })],
    ] as const) {
      await expectWithinViewport(page, el, what);
    }
    await sharePanel(page).screenshot({ path: testInfo.outputPath('phone-share-panel.png') });
    const png = PNG.sync.read(await qrCanvas(page).screenshot());
    expect(jsQR(Uint8ClampedArray.from(png.data), png.width, png.height)?.data).toBe(url);
    metric('QR code on a 360-px phone (CSS px)', (await qrCanvas(page).boundingBox())!.width, 'px');

    // The on-screen keyboard shrinks the visible viewport (interactive-widget=resizes-content):
    // the editor must stay on screen and take typing.
    await page.setViewportSize({ width: 360, height: 400 });
    const editor = page.locator('meshpad-editor .cm-content');
    await editor.tap();
    await page.keyboard.type('typed with the keyboard open');
    await expect(editor).toContainText('typed with the keyboard open');
    const line = page.locator('meshpad-editor .cm-activeLine');
    const lineBox = await line.boundingBox();
    expect(lineBox, 'the line being typed is rendered').not.toBeNull();
    expect(lineBox!.y, 'line being typed is below the header').toBeGreaterThan(0);
    expect(lineBox!.y + lineBox!.height, 'line being typed is above the keyboard').toBeLessThanOrEqual(400);
    await expectNoHorizontalOverflow(page, 'room with the keyboard open');
    await page.screenshot({ path: testInfo.outputPath('phone-room-keyboard.png') });
  } finally {
    await context.close();
  }
});
