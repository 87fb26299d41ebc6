/**
 * Cursor traffic, Follow and the driver role between three real pages (issue 9): caret moves send
 * cursor-pos frames and never a code-sync frame; following a peer scrolls our view with their
 * cursor until we click in our editor; the driver role is taken, handed over and taken over,
 * and every page shows the same driver.
 */
import type { Page } from '@playwright/test';
import { editorOf, expect, peerItemOf, test, textOf } from './fixtures';
import { joinAll, named } from './presence-helpers';

const LINES = Array.from({ length: 150 }, (_, i) => `const line${i} = ${i};`).join('\n');

const framesOf = (page: Page) => page.evaluate(() => window.meshpad!.frames());
const scrollTopOf = (page: Page) => page.locator('meshpad-editor .cm-scroller').evaluate((el) => el.scrollTop);
const scrollMaxOf = (page: Page) => page.locator('meshpad-editor .cm-scroller').evaluate((el) => el.scrollHeight - el.clientHeight);
/** Resolves after the page has rendered two more frames (CodeMirror scrolls in its measure phase). */
const twoFrames = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
const driverBarOf = (page: Page) => page.locator('meshpad-driver-bar');

test('caret moves send cursor-pos frames only; Follow scrolls with the peer until you click; driver hand-over and take-over show everywhere', async ({ openPeers }) => {
  test.setTimeout(90_000);
  const [a, b, c] = await openPeers(3);
  if (!a || !b || !c) throw new Error('no peers');
  await named([a, b, c], ['Ada', 'Bob', 'Cy']);
  const [aId, bId, cId] = await joinAll([a, b, c]);
  await editorOf(a.page).focus();
  await a.page.keyboard.insertText(LINES);
  for (const p of [b, c]) await expect.poll(() => textOf(p.page)).toBe(LINES);

  await test.step('caret moves produce cursor-pos frames and no code-sync frames', async () => {
    for (const p of [a, b]) await p.page.evaluate(() => window.meshpad!.resetFrames());
    for (let i = 0; i < 5; i++) await a.page.keyboard.press('ArrowUp');
    await a.page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(async () => (await framesOf(b.page)).received['cursor-pos'] ?? 0).toBeGreaterThan(0);
    const sent = await framesOf(a.page);
    const received = await framesOf(b.page);
    expect(sent.sent['cursor-pos'] ?? 0).toBeGreaterThan(0);
    expect(sent.sent['cursor-pos'] ?? 0).toBeLessThanOrEqual(6);
    expect(sent.sent['code-sync'] ?? 0).toBe(0);
    expect(received.received['code-sync'] ?? 0).toBe(0);
  });

  await test.step("Bob follows Ada: his view scrolls with her cursor", async () => {
    await a.page.keyboard.press('ControlOrMeta+End');
    expect(await scrollTopOf(b.page)).toBeLessThan(50);
    await peerItemOf(b.page, aId!).getByRole('button', { name: 'Follow Ada' }).click();
    await expect(peerItemOf(b.page, aId!)).toHaveAttribute('data-following', '');
    expect(await scrollMaxOf(b.page), 'the document is taller than the view').toBeGreaterThan(1000);
    const bottom = (await scrollMaxOf(b.page)) - 50;
    await expect.poll(() => scrollTopOf(b.page)).toBeGreaterThan(bottom);
    await a.page.keyboard.press('ControlOrMeta+Home');
    await expect.poll(() => scrollTopOf(b.page)).toBeLessThan(50);
    await a.page.keyboard.press('ControlOrMeta+End');
    await expect.poll(() => scrollTopOf(b.page)).toBeGreaterThan(bottom);
  });

  await test.step('Bob clicks in his editor: following stops, his view stays', async () => {
    const box = await b.page.locator('meshpad-editor').boundingBox();
    if (!box) throw new Error('no editor box');
    await b.page.mouse.click(box.x + 80, box.y + 60);
    await expect(peerItemOf(b.page, aId!)).not.toHaveAttribute('data-following', '');
    const before = await scrollTopOf(b.page);
    await b.page.evaluate(() => window.meshpad!.resetFrames());
    await a.page.keyboard.press('ControlOrMeta+Home');
    await expect.poll(async () => (await framesOf(b.page)).received['cursor-pos'] ?? 0).toBeGreaterThan(0);
    await twoFrames(b.page);
    expect(await scrollTopOf(b.page)).toBe(before);
  });

  await test.step('Ada takes the driver role; everyone sees it', async () => {
    for (const p of [a, b, c]) await expect(driverBarOf(p.page)).toContainText('No driver yet');
    await driverBarOf(a.page).getByRole('button', { name: 'Take over' }).click();
    await expect(driverBarOf(a.page)).toContainText('You are the driver');
    for (const p of [b, c]) {
      await expect(driverBarOf(p.page)).toContainText('Driver: Ada');
      await expect(peerItemOf(p.page, aId!)).toHaveAttribute('data-is-driver', '');
      await expect(driverBarOf(p.page).getByRole('button', { name: 'Take over' })).toHaveCount(0);
    }
  });

  await test.step('Ada makes Bob the driver', async () => {
    await peerItemOf(a.page, bId!).getByRole('button', { name: 'Make Bob driver' }).click();
    await expect(driverBarOf(b.page)).toContainText('You are the driver');
    for (const p of [a, c]) await expect(driverBarOf(p.page)).toContainText('Driver: Bob');
    await expect(peerItemOf(c.page, bId!)).toHaveAttribute('data-is-driver', '');
    await expect(peerItemOf(a.page, cId!).getByRole('button', { name: /Make .* driver/ })).toHaveCount(0);
  });

  await test.step('Bob goes away; Cy takes over; Ada follows the driver', async () => {
    await b.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await driverBarOf(c.page).getByRole('button', { name: 'Take over' }).click();
    await expect(driverBarOf(c.page)).toContainText('You are the driver');
    for (const p of [a, b]) await expect(driverBarOf(p.page)).toContainText('Driver: Cy');
    await editorOf(a.page).focus();
    await a.page.keyboard.press('ControlOrMeta+Home');
    await expect.poll(() => scrollTopOf(a.page)).toBeLessThan(50);
    await driverBarOf(a.page).getByRole('button', { name: 'Follow driver' }).click();
    await expect(peerItemOf(a.page, cId!)).toHaveAttribute('data-following', '');
    await editorOf(c.page).focus();
    await c.page.keyboard.press('ControlOrMeta+End');
    await expect.poll(() => scrollTopOf(a.page)).toBeGreaterThan((await scrollMaxOf(a.page)) - 50);
  });
});
