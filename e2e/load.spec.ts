/**
 * Load: one Chromium page plus headless Node peers (the same net core over node-datachannel)
 * in one room, at 2, 4, 8 and the room cap of 16 peers, all editing at once for a bounded
 * time. Every peer must end with the identical document; a 17th peer is refused with a clear
 * room-full. Prints time to converge and memory per peer.
 */
import { createHeadlessSession } from '../web/src/headless/headless-peer.ts';
import { MAX_PEERS_PER_ROOM } from '../web/src/net/protocol.ts';
import type { RoomSession } from '../web/src/sync/room-session.ts';
import { createRoom, expect, metric, test, textOf, waitForSelfId } from './fixtures';

const EDIT_ROUNDS = 20;
const EDIT_INTERVAL_MS = 50;

async function joinHeadless(url: string, count: number): Promise<RoomSession[]> {
  const sessions = Array.from({ length: count }, () => createHeadlessSession({ roomUrl: url, bindAddress: '127.0.0.1' }));
  await Promise.all(sessions.map((s) => s.start()));
  return sessions;
}

/** Resolves once `check` holds, re-checking on session changes and document updates; bounded. */
function until(sessions: RoomSession[], check: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let running = false;
    const offs: Array<() => void> = [];
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const off of offs) off();
      if (error) reject(error);
      else resolve();
    };
    const test = async () => {
      if (settled || running) return;
      running = true;
      try {
        if (await check()) finish();
      } finally {
        running = false;
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    // The browser page's state is only visible by asking it, so also poll (bounded by the timer).
    const poll = setInterval(() => void test(), 100);
    for (const s of sessions) offs.push(s.subscribe(() => void test()));
    void test();
  });
}

for (const size of [2, 4, 8, MAX_PEERS_PER_ROOM]) {
  test(`${size} peers (1 browser + ${size - 1} headless) edit at once and converge`, async ({ openPeers }) => {
    test.setTimeout(90_000);
    const [browser] = await openPeers(1);
    if (!browser) throw new Error('no browser peer');
    const room = await createRoom(browser.page);
    await waitForSelfId(browser.page);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    const headless = await joinHeadless(room.url, size - 1);
    try {
      const t0 = performance.now();
      await until(
        headless,
        async () =>
          headless.every((s) => (s.network?.openPeers().length ?? 0) === size - 1) &&
          ((await browser.page.evaluate(() => window.meshpad?.peers().length ?? 0)) === size - 1),
        `a full mesh of ${size}`,
        60_000,
      );
      metric(`load ${size}: full mesh connected`, performance.now() - t0);

      // Everyone edits at once: headless peers insert at random places, the browser types.
      const editsDone = performance.now();
      await Promise.all([
        ...headless.map(async (s, i) => {
          for (let round = 0; round < EDIT_ROUNDS; round++) {
            // At a random marker boundary, so markers never split each other.
            const text = s.text.toString();
            const boundaries = [0, ...[...text.matchAll(/\]/g)].map((m) => m.index + 1)];
            s.text.insert(boundaries[Math.floor(Math.random() * boundaries.length)]!, `[p${i}r${round}]`);
            await new Promise((r) => setTimeout(r, EDIT_INTERVAL_MS));
          }
        }),
        (async () => {
          await browser.page.locator('meshpad-editor .cm-content').focus();
          for (let round = 0; round < EDIT_ROUNDS; round++) {
            await browser.page.keyboard.insertText(`[b r${round}]`);
          }
        })(),
      ]);
      const t1 = performance.now();
      metric(`load ${size}: editing phase`, t1 - editsDone);

      const expected = EDIT_ROUNDS * size;
      await until(
        headless,
        async () => {
          const texts = headless.map((s) => s.text.toString());
          const first = texts[0]!;
          if (!texts.every((t) => t === first)) return false;
          if ((first.match(/\[/g) ?? []).length !== expected) return false;
          return (await textOf(browser.page)) === first;
        },
        'identical documents everywhere',
        30_000,
      );
      metric(`load ${size}: converged after the last edit`, performance.now() - t1);
      const text = headless[0]!.text.toString();
      for (let round = 0; round < EDIT_ROUNDS; round++) {
        for (let i = 0; i < size - 1; i++) expect(text).toContain(`[p${i}r${round}]`);
        expect(text).toContain(`[b r${round}]`);
      }

      const rssPerHeadless = (Math.max(rssPeak, process.memoryUsage().rss) - rssBefore) / (size - 1) / 1024 / 1024;
      const heap = await browser.page.evaluate(() => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
      metric(`load ${size}: headless peer memory (peak RSS growth per peer)`, rssPerHeadless, 'MB');
      metric(`load ${size}: browser page JS heap`, heap / 1024 / 1024, 'MB');

      if (size === MAX_PEERS_PER_ROOM) {
        const [extra] = await joinHeadless(room.url, 1);
        headless.push(extra!);
        await until([extra!], () => extra!.snapshot().signaling.phase === 'failed', 'the 17th peer to be refused', 15_000);
        expect(extra!.snapshot().signaling.reason).toBe('This room is full.');
        expect(extra!.network?.openPeers()).toEqual([]);
      }
    } finally {
      clearInterval(sampler);
      for (const s of headless) s.close();
    }
  });
}
