/**
 * The AI as a peer, and the API key's privacy (issue 9): the headless peer started with `--ai`
 * answers a browser that has no endpoint of its own, a peer that joins later sees the whole
 * transcript, Insert is one undo step, the requester can Stop, and a browser's own API key travels on no data-channel
 * frame and no signaling frame.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { editorOf, expect, focusEditorEnd, test, textOf, waitForPeer, waitForSelfId } from './fixtures';
import { E2E_API_KEY, answerOf, configureAi, fixtureEndpoint, joinRoom, named } from './presence-helpers';

const AI_PEER_KEY = 'sk-ai-peer-own-key';

/** `npm run peer -- <room> --ai <endpoint> --model fixture-model` as a child process (tsx, no npm wrapper). */
function startAiPeer(roomUrl: string, endpoint: string): { child: ChildProcess; output: string[]; stop: () => Promise<void> } {
  const output: string[] = [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'web/src/headless/cli.ts', roomUrl, '--ai', endpoint, '--model', 'fixture-model', '--bind', '127.0.0.1'],
    { env: { ...process.env, MESHPAD_AI_API_KEY: AI_PEER_KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { child, output, stop };
}

const frameHits = (page: Page) => page.evaluate(() => window.meshpad?.watchedFrameHits() ?? -1);
const noticesOf = (page: Page) => page.locator('meshpad-presence-notices');
const aiSourceOf = (page: Page) => page.locator('meshpad-ai-panel [data-ai-source]');

test("the headless AI peer answers a browser's Ask AI; a late joiner sees the transcript; Insert is one undo step; the requester stops the next; join and leave notices", async ({ openPeers }) => {
  test.setTimeout(90_000);
  const endpoint = fixtureEndpoint();
  const url = await endpoint.listen();
  let aiPeer: ReturnType<typeof startAiPeer> | null = null;
  try {
    const [a, b] = await openPeers(2);
    if (!a || !b) throw new Error('no peers');
    await named([a, b], ['Ada', 'Bob']);
    const room = await joinRoom([a, b]);
    await editorOf(a.page).focus();
    await a.page.keyboard.type('let answer = 42;');
    await expect.poll(() => textOf(b.page)).toBe('let answer = 42;');

    await test.step('no endpoint and no AI peer: Ask AI says so plainly', async () => {
      await expect(aiSourceOf(a.page)).toHaveAttribute('data-ai-source', 'none');
      await a.page.getByLabel('Ask AI').fill('what is this?');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      await expect(a.page.locator('meshpad-ai-panel').getByRole('alert')).toContainText('no AI peer is in this room');
    });

    await test.step('the AI peer joins and announces its model', async () => {
      aiPeer = startAiPeer(room.url, url);
      for (const p of [a, b]) await expect(aiSourceOf(p.page), aiPeer.output.join('')).toHaveAttribute('data-ai-source', 'peer', { timeout: 30_000 });
      await expect(aiSourceOf(a.page)).toContainText('fixture-model');
    });

    await test.step("Ask AI goes to the AI peer, which calls the model with its own key and streams to everyone", async () => {
      await a.page.getByLabel('Ask AI').fill('explain');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      await endpoint.waitForRequest();
      expect(endpoint.requests[0]).toMatch(new RegExp(`^Bearer ${AI_PEER_KEY} `));
      expect(endpoint.requests[0]).toContain('let answer = 42;');
      endpoint.say('It binds');
      for (const p of [a, b]) await expect(answerOf(p.page).locator('pre')).toHaveText('It binds');
      endpoint.say(' 42.');
      endpoint.done();
      for (const p of [a, b]) {
        await expect(answerOf(p.page)).toHaveAttribute('data-status', 'done');
        await expect(answerOf(p.page).locator('pre')).toHaveText('It binds 42.');
        await expect(answerOf(p.page)).toContainText('Ada asked: explain');
      }
    });

    const [c] = await openPeers(1);
    if (!c) throw new Error('no late peer');
    await named([c], ['Cy']);
    await test.step('a peer joining afterwards sees the whole transcript', async () => {
      await c.page.goto(room.url);
      await expect(noticesOf(a.page)).toContainText('Cy joined');
      await waitForPeer(c.page, room.ids[0]!);
      await expect(answerOf(c.page)).toHaveAttribute('data-status', 'done');
      await expect(answerOf(c.page).locator('pre')).toHaveText('It binds 42.');
      await expect(answerOf(c.page)).toContainText('Ada asked: explain');
    });

    await test.step('Insert is one undo step', async () => {
      await expect.poll(() => textOf(c.page)).toBe('let answer = 42;');
      await focusEditorEnd(c.page);
      await answerOf(c.page).getByRole('button', { name: 'Insert' }).click();
      for (const p of [a, b, c]) await expect.poll(() => textOf(p.page)).toBe('let answer = 42;It binds 42.');
      await c.page.keyboard.press('ControlOrMeta+z');
      for (const p of [a, b, c]) await expect.poll(() => textOf(p.page)).toBe('let answer = 42;');
    });

    await test.step("the requester's Stop ends the AI peer's answer for everyone; Bob gets no Stop", async () => {
      await a.page.getByLabel('Ask AI').fill('a long one');
      await a.page.getByRole('button', { name: 'Ask AI' }).click();
      await expect.poll(() => endpoint.requests.length).toBe(2);
      endpoint.say('partial');
      for (const p of [a, b, c]) await expect(answerOf(p.page).locator('pre')).toHaveText('partial');
      await expect(answerOf(b.page).getByRole('button', { name: 'Stop' })).toHaveCount(0);
      await answerOf(a.page).getByRole('button', { name: 'Stop' }).click();
      for (const p of [a, b, c]) await expect(answerOf(p.page)).toHaveAttribute('data-status', 'stopped');
    });

    await test.step('Cy leaves: the others see a notice', async () => {
      await c.context.close();
      for (const p of [a, b]) await expect(noticesOf(p.page)).toContainText('Cy left');
    });
  } finally {
    await (aiPeer as ReturnType<typeof startAiPeer> | null)?.stop();
    await endpoint.close().catch(() => undefined);
  }
});

test('the API key is in no data-channel frame and no signaling frame', async ({ openPeers }) => {
  const endpoint = fixtureEndpoint();
  const url = await endpoint.listen();
  try {
    const [a, b] = await openPeers(2);
    if (!a || !b) throw new Error('no peers');
    // Every WebSocket (signaling) frame either page sends or receives, from the first one.
    const signalingFrames: string[] = [];
    for (const p of [a, b]) {
      p.page.on('websocket', (ws) => {
        ws.on('framesent', (f) => signalingFrames.push(String(f.payload)));
        ws.on('framereceived', (f) => signalingFrames.push(String(f.payload)));
      });
    }
    await named([a, b], ['Ada', 'Bob']);
    await configureAiBeforeJoin(a.page, url);
    await joinRoom([a, b]);
    for (const p of [a, b]) await p.page.evaluate((key) => window.meshpad?.watchFrames(key), E2E_API_KEY);

    await a.page.getByLabel('Ask AI').fill('secret?');
    await a.page.getByRole('button', { name: 'Ask AI' }).click();
    await endpoint.waitForRequest();
    endpoint.say('no secrets here');
    endpoint.done();
    await expect(answerOf(b.page)).toHaveAttribute('data-status', 'done');
    // The key was in use: it went to the endpoint, from A's browser.
    expect(endpoint.requests[0]).toMatch(new RegExp(`^Bearer ${E2E_API_KEY} `));
    for (const p of [a, b]) {
      const frames = await p.page.evaluate(() => window.meshpad?.frames());
      expect(frames?.[p === a ? 'sent' : 'received']['ai-stream'] ?? 0, 'ai-stream frames were watched').toBeGreaterThan(0);
      expect(await frameHits(p.page)).toBe(0);
    }
    expect(signalingFrames.length).toBeGreaterThan(0);
    expect(signalingFrames.filter((f) => f.includes(E2E_API_KEY))).toEqual([]);
  } finally {
    await endpoint.close().catch(() => undefined);
  }
});

/** AI settings are per browser; the dialog lives in the room view, so open a throwaway room first. */
async function configureAiBeforeJoin(page: Page, endpoint: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'New room' }).click();
  await waitForSelfId(page);
  await configureAi(page, endpoint);
}
