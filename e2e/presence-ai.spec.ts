/**
 * Presence, live cursors and AI answers between real pages (first slice of issue 9): names and
 * statuses in the peer list, a remote selection on the right characters while text is inserted
 * above it, and an AI answer streamed from a loopback fixture endpoint to every peer, with Stop
 * and a clear error when the endpoint is down.
 */
import type { Page } from '@playwright/test';
import { createRoom, editorOf, expect, peerItemOf, test, textOf } from './fixtures';
import { answerOf, configureAi, fixtureEndpoint, joinAll, named } from './presence-helpers';

/** The text under a page's remote-selection highlight (y-codemirror.next's `.cm-ySelection`). */
const remoteSelectionOf = (page: Page) =>
  editorOf(page)
    .locator('.cm-ySelection')
    .evaluateAll((els) => els.map((e) => e.textContent ?? '').join(''));

test('names, statuses and a remote selection that stays on its characters', async ({ openPeers }) => {
  const [a, b, c] = await openPeers(3);
  if (!a || !b || !c) throw new Error('no peers');
  await named([a, b, c], ['Ada', 'Bob', 'Cy']);
  const [aId, bId] = await joinAll([a, b, c]);

  await test.step('each peer list shows the other by name, and you as "you"', async () => {
    await expect(peerItemOf(b.page, aId!)).toContainText('Ada');
    await expect(peerItemOf(a.page, bId!)).toContainText('Bob');
    await expect(peerItemOf(a.page, aId!)).toContainText('(you)');
  });

  await test.step("A's selection appears in B and C on the same characters, labelled Ada", async () => {
    await editorOf(a.page).focus();
    await a.page.keyboard.type('const first = 1;\nconst second = 2;');
    await expect.poll(() => textOf(b.page)).toBe('const first = 1;\nconst second = 2;');
    await a.page.keyboard.press('End');
    for (let i = 0; i < 'second = 2;'.length; i++) await a.page.keyboard.press('Shift+ArrowLeft');
    for (const p of [b, c]) {
      await expect.poll(() => remoteSelectionOf(p.page)).toBe('second = 2;');
      await expect(editorOf(p.page).locator('.cm-ySelectionInfo')).toHaveText('Ada');
    }
  });

  await test.step('B inserts text above: the remote selection stays on "second = 2;"', async () => {
    await editorOf(b.page).focus();
    await b.page.keyboard.press('ControlOrMeta+Home');
    await b.page.keyboard.type('// header\n');
    for (const p of [a, c]) await expect.poll(() => textOf(p.page)).toBe('// header\nconst first = 1;\nconst second = 2;');
    for (const p of [b, c]) await expect.poll(() => remoteSelectionOf(p.page)).toBe('second = 2;');
  });

  await test.step('A renames itself; B sees the new name', async () => {
    await a.page.getByLabel('Your name').fill('Ada L.');
    await a.page.getByLabel('Your name').press('Enter');
    await expect(peerItemOf(b.page, aId!)).toContainText('Ada L.');
  });

  await test.step('A hides its page: B shows A as away', async () => {
    await a.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect(peerItemOf(b.page, aId!)).toHaveAttribute('data-status', 'away');
  });
});

test('a browser without a chosen name is asked for one, once', async ({ openPeers }) => {
  const [a] = await openPeers(1);
  if (!a) throw new Error('no peer');
  await createRoom(a.page);
  const ask = a.page.locator('meshpad-room [data-ask-name]');
  await expect(ask).toContainText(/you are Guest \d{4} for now/);
  await a.page.getByLabel('Your name', { exact: true }).fill('Ada');
  await a.page.getByLabel('Your name', { exact: true }).press('Enter');
  await expect(ask).toHaveCount(0);
  await a.page.reload();
  await expect(a.page.getByLabel('Your name', { exact: true })).toHaveValue('Ada');
  await expect(ask).toHaveCount(0);
});

test('an AI answer streams to every peer in order; Stop ends it for all; a dead endpoint is a clear error', async ({ openPeers }) => {
  const endpoint = fixtureEndpoint();
  const url = await endpoint.listen();
  try {
    const [a, b, c] = await openPeers(3);
    if (!a || !b || !c) throw new Error('no peers');
    await named([a, b, c], ['Ada', 'Bob', 'Cy']);
    await joinAll([a, b, c]);
    await configureAi(a.page, url);

    await test.step('Ask AI: chunks appear in every page, in order, with the asker', async () => {
      await a.page.getByLabel('Ask AI').fill('say hello');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      await endpoint.waitForRequest();
      endpoint.say('Hello');
      for (const p of [a, b, c]) await expect(answerOf(p.page).locator('pre')).toHaveText('Hello');
      endpoint.say(', world');
      endpoint.done();
      for (const p of [a, b, c]) {
        await expect(answerOf(p.page)).toHaveAttribute('data-status', 'done');
        await expect(answerOf(p.page).locator('pre')).toHaveText('Hello, world');
        await expect(answerOf(p.page)).toContainText('Ada asked: say hello');
      }
      expect(endpoint.requests[0]).toMatch(/^Bearer sk-e2e-never-on-the-wire /);
    });

    await test.step('Insert puts the answer into the document for everyone', async () => {
      await answerOf(c.page).getByRole('button', { name: 'Insert' }).click();
      for (const p of [a, b, c]) await expect.poll(() => textOf(p.page)).toBe('Hello, world');
    });

    await test.step('Stop (asker) ends a streaming answer for all', async () => {
      await a.page.getByLabel('Ask AI').fill('a long one');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      await expect.poll(() => endpoint.requests.length).toBe(2);
      endpoint.say('partial');
      await expect(answerOf(b.page).locator('pre')).toHaveText('partial');
      await answerOf(a.page).getByRole('button', { name: 'Stop' }).click();
      for (const p of [a, b, c]) await expect(answerOf(p.page)).toHaveAttribute('data-status', 'stopped');
    });

    await test.step('endpoint down: every peer sees a clear error', async () => {
      await endpoint.close();
      await a.page.getByLabel('Ask AI').fill('anyone there?');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      for (const p of [a, b, c]) {
        await expect(answerOf(p.page)).toHaveAttribute('data-status', 'error');
        await expect(answerOf(p.page).getByRole('alert')).toContainText('cannot reach');
      }
    });
  } finally {
    await endpoint.close().catch(() => undefined);
  }
});
