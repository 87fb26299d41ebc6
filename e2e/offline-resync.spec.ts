/**
 * Two peers that edit apart (no signaling, no P2P link) converge after the server comes back.
 * The test runs a wrangler of its own (OwnServer) on a port above the shared one, killed in
 * afterEach. Times are printed as `[metric]` lines; nothing asserts on timing.
 */
import {
  createRoom,
  editorOf,
  expect,
  focusEditorEnd,
  metric,
  now,
  peersOf,
  signalingPhaseOf,
  roomDebugStateOf,
  roomStatusOf,
  test,
  textOf,
  waitForPeer,
  waitForSelfId,
  type Peer,
} from './fixtures';
import {
  SHARED_PORT,
  armConvergenceClock,
  bulkInsertViaKeyboard,
  bulkInsertViaView,
  convergenceClock,
  dataChannelLogOf,
  editorDocOf,
  installDataChannelLog,
  ownServer,
  runCleanups,
} from './offline-helpers';

test.afterEach(runCleanups);

/** One line per peer: signaling phase and status line, link states, open peers, text size, clocks. */
async function describeRoomState(peers: readonly Peer[]): Promise<string> {
  const parts = await Promise.all(
    peers.map(async (p) => {
      const text = await textOf(p.page).catch(() => null);
      const state = { ...(await roomDebugStateOf(p.page)), chars: text?.length ?? null, lines: text?.split('\n').length ?? null };
      const status = await roomStatusOf(p.page)
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      return `${p.name}: ${JSON.stringify(state)} status="${status?.trim() ?? '?'}" clock=${JSON.stringify(await convergenceClock(p.page).catch(() => null))}`;
    }),
  );
  return `\n  ${parts.join('\n  ')}`;
}

/** This file's own server port (the reconnection tests use SHARED_PORT + 1). */
const RESYNC_PORT = SHARED_PORT + 10;


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
