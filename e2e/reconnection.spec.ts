/**
 * Reconnection end to end: a dropped peer connection, a lost network, the TURN relay fallback and
 * a dead signaling server. Every test runs inside the loopback-only network namespace of
 * `npm run test:e2e` (scripts/netns.mjs), next to the shared wrangler and coturn web servers of
 * playwright.config.ts. Times are printed as `[metric]` lines; apart from the bounded number of
 * signaling retries nothing here asserts on timing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { OwnServer } from './own-server.ts';
import {
  connectPair,
  typeAtEnd,
  expectConverged,
  isOpen,
  watchOpen,
  openHistory,
  type GapWindow,
  armEditOnDrop,
  gapEditOf,
  findIp,
  assertPrivateNetns,
  installWebSocketCounter,
  socketTimesSince,
} from './reconnection-helpers.ts';

import {
  createRoom,
  expect,
  focusEditorEnd,
  linkStatesOf,
  linkStatsOf,
  metric,
  now,
  peerItemOf,
  roomStatusOf,
  signalingPhaseOf,
  test,
  textOf,
  waitForPeer,
  waitForSelfId,
  type Peer,
} from './fixtures';


// ---- a. link drop ----

test('a dropped peer connection comes back and both sides keep their edits', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const { aId, bId } = await test.step('A creates a room, B joins, both connected', () => connectPair(a, b));

  await test.step('a shared starting text', async () => {
    await typeAtEnd(a, 'const base = 0;');
    await expectConverged([a, b], ['const base = 0;']);
  });

  await test.step('both editors focused at the end of the text', async () => {
    await focusEditorEnd(a.page);
    await focusEditorEnd(b.page);
  });
  await Promise.all([watchOpen(a.page, bId), watchOpen(b.page, aId)]);
  // The reconnect is fast (~0.1 s on loopback): too short to type from the test runner after
  // seeing the drop. So each page types itself, through the editor, as soon as it sees its link
  // go down, and records whether the edit reached its document while the link was still down.
  await Promise.all([armEditOnDrop(a.page, bId, ' /*A while apart*/'), armEditOnDrop(b.page, aId, ' /*B while apart*/')]);
  const closedAt = await a.page.evaluate(() => Date.now());

  const t0 = await test.step('A closes its RTCPeerConnection to B (meshpad.closeConnection)', async () => {
    const start = now();
    const closed = await a.page.evaluate((id) => window.meshpad?.closeConnection(id) ?? false, bId);
    expect(closed, 'closeConnection found a connection to B').toBe(true);
    return start;
  });

  await test.step('both see the drop and type during the gap', async () => {
    for (const p of [a, b]) {
      await p.page.waitForFunction(() => (window as unknown as GapWindow).__mpGapEdit?.appliedAt != null, undefined, {
        polling: 10,
        timeout: 10_000,
      });
      const edit = await gapEditOf(p.page);
      metric(`link drop: ${p.name} typed ${edit.typedAt! - closedAt} ms after the close (applied +${edit.appliedAt! - edit.typedAt!} ms)`, 'ok', '');
      expect(edit.openWhenApplied, `${p.name}: its edit reached its document while the link was down`).toBe(false);
    }
  });

  await test.step('both are connected again', async () => {
    await Promise.all([waitForPeer(a.page, bId, 40_000), waitForPeer(b.page, aId, 40_000)]);
    metric('link drop: closeConnection → both connected again (runner)', now() - t0);
    const reopened = async (page: Page) => (await openHistory(page)).find(([t, open]) => open && t > closedAt)?.[0] ?? NaN;
    const back = Math.max(await reopened(a.page), await reopened(b.page));
    metric('link drop: closeConnection → both connected again (in-page clocks)', back - closedAt);
    const ms = (log: Array<[number, boolean]>) => log.map(([t, o]) => `${o ? 'open' : 'closed'}@${t - closedAt}`).join(' ');
    metric('link drop: A→B open/closed (ms after the close)', ms(await openHistory(a.page)), '');
    metric('link drop: B→A open/closed (ms after the close)', ms(await openHistory(b.page)), '');
  });

  await test.step('the documents converge with both edits', async () => {
    const text = await expectConverged([a, b], ['const base = 0;', '/*A while apart*/', '/*B while apart*/']);
    metric('link drop: closeConnection → converged (runner)', now() - t0);
    expect(text.startsWith('const base = 0;')).toBe(true);
  });
});

// ---- b. network loss ----

test('after the network is lost long enough to break ICE, the peers reconnect and resync', async ({ openPeers }) => {
  test.setTimeout(180_000);
  assertPrivateNetns();
  const ip = findIp();
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const { aId, bId } = await test.step('A creates a room, B joins, both connected', () => connectPair(a, b));
  await test.step('a shared starting text', async () => {
    await typeAtEnd(a, 'let net = "up";');
    await expectConverged([a, b], ['let net = "up";']);
  });

  const phaseTo = async (page: Page, peer: string) => (await linkStatesOf(page))?.[peer]?.phase ?? 'missing';
  let loDown = false;
  let upAt = 0;
  try {
    await test.step('lo down until both links leave "connected" (at most 20 s)', async () => {
      const downAt = now();
      execFileSync(ip, ['link', 'set', 'lo', 'down']);
      loDown = true;
      let bothLeft = true;
      try {
        await expect
          .poll(async () => (await phaseTo(a.page, bId)) !== 'connected' && (await phaseTo(b.page, aId)) !== 'connected', {
            message: 'both links leave "connected"',
            timeout: 20_000,
            intervals: [250],
          })
          .toBe(true);
      } catch {
        bothLeft = false; // 20 s passed: bring the network back anyway
      }
      metric('network loss: lo down → both links left "connected"', bothLeft ? now() - downAt : 'not within 20 s', bothLeft ? 'ms' : '');
      metric('network loss: phases when lo comes back', `A→B ${await phaseTo(a.page, bId)}, B→A ${await phaseTo(b.page, aId)}`, '');
    });
  } finally {
    if (loDown) {
      execFileSync(ip, ['link', 'set', 'lo', 'up']);
      upAt = now();
    }
  }

  await test.step('type in both while reconnecting', async () => {
    await Promise.all([typeAtEnd(a, ' /*A after outage*/'), typeAtEnd(b, ' /*B after outage*/')]);
  });

  await test.step('both are connected again and converge', async () => {
    // Record what the machines go through on the way back (printed below): how long this takes
    // depends on where each backoff stands when the network returns.
    const seen: string[] = [];
    let last = '';
    await expect
      .poll(
        async () => {
          const [la, lb, sa, sb] = await Promise.all([
            phaseTo(a.page, bId),
            phaseTo(b.page, aId),
            signalingPhaseOf(a.page),
            signalingPhaseOf(b.page),
          ]);
          const state = `A→B ${la} (sig ${sa}), B→A ${lb} (sig ${sb})`;
          if (state !== last) seen.push(`+${Math.round(now() - upAt)} ms ${state}`);
          last = state;
          return (await isOpen(a.page, bId)) && (await isOpen(b.page, aId));
        },
        { message: 'A and B connected again', timeout: 100_000, intervals: [100] },
      )
      .toBe(true)
      .finally(() => metric('network loss: states after lo up', seen.join(' | '), ''));
    metric('network loss: lo up → both connected again', now() - upAt);
    await expectConverged([a, b], ['let net = "up";', '/*A after outage*/', '/*B after outage*/'], 30_000);
    metric('network loss: lo up → converged', now() - upAt);
  });
});

// ---- c. TURN fallback ----

test('when direct connections cannot work, the peers connect through the TURN relay', async ({ openPeers }) => {
  test.setTimeout(120_000);
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  for (const p of [a, b]) {
    // Test-only switch read by room-controller.ts at start: direct attempts exchange no candidates.
    await p.context.addInitScript(() => {
      try {
        localStorage.setItem('meshpad:test:block-direct', '1');
      } catch {
        /* about:blank has no storage */
      }
    });
  }

  const room = await test.step('A creates a room', () => createRoom(a.page));
  const aId = await waitForSelfId(a.page);
  expect(await a.page.evaluate(() => localStorage.getItem('meshpad:test:block-direct'))).toBe('1');

  const t0 = now();
  const bId = await test.step('B joins', async () => {
    await b.page.goto(room.url);
    return waitForSelfId(b.page);
  });
  expect(await b.page.evaluate(() => localStorage.getItem('meshpad:test:block-direct'))).toBe('1');

  await test.step('after the direct attempts fail, both connect over the relay', async () => {
    const relayConnected = async (page: Page, peer: string) => {
      const s = (await linkStatesOf(page))?.[peer];
      return s ? `${s.phase}/${s.transport}` : 'missing';
    };
    try {
      // Wait for the first connection whatever its transport: with direct attempts blocked it
      // must be the relay one (a direct link that connects is already the failure).
      await expect
        .poll(async () => (await relayConnected(a.page, bId)).startsWith('connected/'), {
          message: 'A: link to B connected',
          timeout: 90_000,
          intervals: [100],
        })
        .toBe(true);
      expect(await relayConnected(a.page, bId), 'A: the first connection to B is the relay one').toBe('connected/relay');
      await expect
        .poll(() => relayConnected(b.page, aId), { message: 'B: link to A connected over the relay', timeout: 10_000, intervals: [100] })
        .toBe('connected/relay');
    } catch (error) {
      // What the links actually did, for the report.
      metric('TURN fallback (failed): A linkStates', JSON.stringify(await linkStatesOf(a.page)), '');
      metric('TURN fallback (failed): B linkStates', JSON.stringify(await linkStatesOf(b.page)), '');
      metric('TURN fallback (failed): A linkStats(B)', JSON.stringify(await linkStatsOf(a.page, bId)), '');
      metric('TURN fallback (failed): B linkStats(A)', JSON.stringify(await linkStatsOf(b.page, aId)), '');
      throw error;
    }
    await Promise.all([waitForPeer(a.page, bId, 10_000), waitForPeer(b.page, aId, 10_000)]);
    metric('TURN fallback: B page.goto → relay-connected both ways', now() - t0);
    const failures = (await linkStatesOf(a.page))?.[bId]?.failures;
    metric('TURN fallback: failed direct attempts before the relay (A’s view)', String(failures), '');
  });

  await test.step('getStats: the selected candidate pair is a relay pair', async () => {
    for (const [p, other] of [
      [a, bId],
      [b, aId],
    ] as const) {
      await expect
        .poll(async () => (await linkStatsOf(p.page, other))?.localCandidateType ?? null, {
          message: `${p.name}: selected pair's local candidate`,
        })
        .toBe('relay');
      const stats = await linkStatsOf(p.page, other);
      expect(stats, `${p.name}: linkStats`).toMatchObject({ transport: 'relay', localCandidateType: 'relay' });
      metric(`TURN fallback: ${p.name} stats`, JSON.stringify(stats), '');
    }
  });

  await test.step('the peer lists show the relay transport', async () => {
    await expect(peerItemOf(a.page, bId)).toHaveAttribute('data-phase', 'connected');
    await expect(peerItemOf(a.page, bId)).toHaveAttribute('data-transport', 'relay');
    await expect(peerItemOf(b.page, aId)).toHaveAttribute('data-phase', 'connected');
    await expect(peerItemOf(b.page, aId)).toHaveAttribute('data-transport', 'relay');
  });

  await test.step('typing in A appears in B through coturn, and back', async () => {
    await typeAtEnd(a, 'relay(1);');
    await expectConverged([a, b], ['relay(1);']);
    await typeAtEnd(b, ' relay(2);');
    await expectConverged([a, b], ['relay(1); relay(2);']);
  });
});

// ---- d. signaling killed mid-session ----

/** Counts signaling WebSocket constructions (with in-page timestamps) from before the app loads. */
const SIGNALING_PORT = Number(process.env.E2E_PORT ?? 8790) + 1;
const RETRY_WINDOW_MS = 30_000;
let ownServer: OwnServer | null = null;
let persistDir: string | null = null;

test.afterEach(async () => {
  // Whatever happened in the test: no wrangler/workerd of ours is left running.
  await ownServer?.kill();
  ownServer = null;
  if (persistDir) rmSync(persistDir, { recursive: true, force: true });
  persistDir = null;
});

test('when signaling dies the peers keep editing over P2P, retry with backoff, and a newcomer gets in after a restart', async ({
  openPeers,
}) => {
  test.setTimeout(180_000);
  persistDir = mkdtempSync(join(tmpdir(), 'meshpad-e2e-wrangler-'));
  const server = new OwnServer(SIGNALING_PORT, persistDir);
  ownServer = server;
  await test.step(`start a signaling server of this test's own on ${server.origin}`, () => server.start());

  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  for (const p of [a, b]) await p.context.addInitScript(installWebSocketCounter);
  const { url, aId, bId } = await test.step('A creates a room on it, B joins, both connected', () =>
    connectPair(a, b, server.origin),
  );
  await test.step('a shared starting text', async () => {
    await typeAtEnd(a, 'signal("on");');
    await expectConverged([a, b], ['signal("on");']);
  });

  const killedAt = await test.step('SIGKILL the server (its whole process group)', async () => {
    const t = await a.page.evaluate(() => Date.now());
    await server.kill();
    return t;
  });

  await test.step('A and B keep co-editing over P2P', async () => {
    await typeAtEnd(a, ' a();');
    await expectConverged([a, b], ['signal("on"); a();']);
    await typeAtEnd(b, ' b();');
    await expectConverged([a, b], ['signal("on"); a(); b();']);
    expect(await isOpen(a.page, bId)).toBe(true);
    expect(await isOpen(b.page, aId)).toBe(true);
  });

  await test.step('A says that signaling is offline and when it retries', async () => {
    await expect(roomStatusOf(a.page)).toHaveText(/signaling offline — retrying in \d+ s/, { timeout: 20_000 });
  });

  await test.step(`signaling reconnect attempts in the ${RETRY_WINDOW_MS / 1000} s after the kill are bounded`, async () => {
    const elapsed = (await a.page.evaluate(() => Date.now())) - killedAt;
    // The one place where a time window is what is measured.
    if (elapsed < RETRY_WINDOW_MS) await a.page.waitForTimeout(RETRY_WINDOW_MS - elapsed);
    for (const p of [a, b]) {
      const times = await socketTimesSince(p.page, killedAt, killedAt + RETRY_WINDOW_MS);
      const attempts = times.length;
      const seen = `attempts at ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} after the kill`;
      metric(`signaling down: ${p.name} WebSocket attempts in ${RETRY_WINDOW_MS / 1000} s`, String(attempts), '');
      expect(attempts, `${p.name}: it does retry (${seen})`).toBeGreaterThanOrEqual(2);
      // Backoff base 500 ms, ×2, cap 30 s, full jitter: 6–8 attempts in 30 s typically; more than
      // 13 has a chance below 1e-6 (3 M simulated outages), while one that stops growing at 4 s
      // makes 17 (median).
      expect(attempts, `${p.name}: backoff bounds the retries (${seen})`).toBeLessThanOrEqual(13);
    }
  });

  const text = (await textOf(a.page)) ?? '';
  const restartedAt = await test.step('restart the server on the same port and state directory', async () => {
    const t = now();
    await server.start();
    ownServer = server;
    metric('signaling restart: spawn → healthy', now() - t);
    return t;
  });

  await test.step('a newcomer C opens the room and receives the whole document', async () => {
    const [c] = await openPeers(1);
    if (!c) throw new Error('no peer C');
    await c.page.goto(url);
    await expect
      .poll(() => textOf(c.page), { message: 'C: meshpad.text() equals A’s', timeout: 75_000, intervals: [100] })
      .toBe(text);
    metric('signaling restart: restart → C has the whole document', now() - restartedAt);
    const cId = await waitForSelfId(c.page);
    await Promise.all([waitForPeer(a.page, cId, 30_000), waitForPeer(b.page, cId, 30_000)]);
    metric('signaling restart: restart → A and B connected to C', now() - restartedAt);
    expect(await isOpen(a.page, bId), 'A–B link survived the whole outage').toBe(true);
  });
});
