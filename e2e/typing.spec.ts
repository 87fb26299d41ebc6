/**
 * Typing in the editor (web/src/ui/direct-typing.ts): a plain typed character becomes an editor
 * transaction without the browser's contenteditable editing, so the page sees no `input` event
 * for it; brackets, typing over a selection and Undo behave as CodeMirror's own path does, and an
 * IME composition still goes through the browser.
 */
import type { Page } from '@playwright/test';
import { createRoom, editorOf, expect, expectText, focusEditorEnd, test, textOf, waitForPeer, waitForSelfId, type Peer } from './fixtures';

/** Counts `input` events on the editor's content from now on; returns a reader. */
async function countInputEvents(page: Page): Promise<() => Promise<number>> {
  await editorOf(page).evaluate((content) => {
    const w = window as unknown as { __inputEvents: number };
    w.__inputEvents = 0;
    content.addEventListener('input', () => w.__inputEvents++);
  });
  return () => page.evaluate(() => (window as unknown as { __inputEvents: number }).__inputEvents);
}

async function expectBoth(peers: Peer[], text: string): Promise<void> {
  for (const peer of peers) await expectText(peer, text);
}

test('Typing: plain keys skip the browser editing; brackets, typing over a selection, Undo and IME composition work', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const room = await createRoom(a.page);
  await b.page.goto(room.url);
  const [aId, bId] = await Promise.all([waitForSelfId(a.page), waitForSelfId(b.page)]);
  await waitForPeer(a.page, bId);
  await waitForPeer(b.page, aId);
  // closeBrackets and the language arrive with the editor's second chunk.
  await expect(editorOf(a.page)).toHaveAttribute('data-language', /./);
  const inputEvents = await countInputEvents(a.page);
  await focusEditorEnd(a.page);

  await test.step('plain typing reaches both editors with no input event (no native editing)', async () => {
    await a.page.keyboard.type('let x = 1;');
    await expectBoth([a, b], 'let x = 1;');
    expect(await inputEvents()).toBe(0);
  });

  await test.step("brackets: '(' closes itself, ')' steps over the closing one", async () => {
    await a.page.keyboard.type(' f(');
    await expectBoth([a, b], 'let x = 1; f()');
    await a.page.keyboard.type('2)');
    await expectBoth([a, b], 'let x = 1; f(2)');
  });

  await test.step('typing over a selection replaces it', async () => {
    for (let i = 0; i < 4; i++) await a.page.keyboard.press('Shift+ArrowLeft');
    await a.page.keyboard.type('g;');
    await expectBoth([a, b], 'let x = 1; g;');
    expect(await inputEvents()).toBe(0);
  });

  await test.step('Undo takes back the typing', async () => {
    await a.page.keyboard.press('ControlOrMeta+z');
    await expect.poll(() => textOf(a.page)).not.toBe('let x = 1; g;');
    for (let i = 0; i < 10 && (await textOf(a.page)) !== ''; i++) await a.page.keyboard.press('ControlOrMeta+z');
    await expectBoth([a, b], '');
  });

  await test.step('an IME composition goes through the browser and commits its text', async () => {
    const cdp = await a.context.newCDPSession(a.page);
    await cdp.send('Input.imeSetComposition', { text: 'n', selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.imeSetComposition', { text: 'に', selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.insertText', { text: '日本' });
    await expectBoth([a, b], '日本');
    expect(await inputEvents()).toBeGreaterThan(0);
  });
});
