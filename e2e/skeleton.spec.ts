import {
  channelsOf,
  createRoom,
  editorOf,
  editorTextOf,
  expect,
  expectText,
  focusEditorEnd,
  installKeydownClock,
  armVisibleWatch,
  lastKeydownAt,
  visibleAt,
  listedPeerIds,
  median,
  metric,
  now,
  peersOf,
  percentile,
  selfIdOf,
  test,
  waitForSelfId,
  type ChannelInfo,
  type MeshpadDebug,
  type Peer,
} from './fixtures';
import { PROTOCOL_VERSION } from '../web/src/net/protocol.ts';

/** The five data channels every peer connection carries. */
const EXPECTED_CHANNELS: ReadonlyArray<Pick<ChannelInfo, 'label' | 'ordered' | 'maxRetransmits'> & { priority: string }> = [
  { label: 'code-sync', ordered: true, maxRetransmits: null, priority: 'high' },
  { label: 'cursor-pos', ordered: false, maxRetransmits: 0, priority: 'medium' },
  { label: 'ai-stream', ordered: true, maxRetransmits: null, priority: 'high' },
  { label: 'presence', ordered: true, maxRetransmits: null, priority: 'low' },
  { label: 'files', ordered: true, maxRetransmits: null, priority: 'very-low' },
];

/** Both the debug hook and the peer list show exactly / at least these peers. */
async function expectPeers(peer: Peer, expected: string[]): Promise<void> {
  const sorted = [...expected].sort();
  await expect
    .poll(async () => ((await peersOf(peer.page)) ?? []).sort(), { message: `${peer.name}: meshpad.peers()`, timeout: 20_000 })
    .toEqual(sorted);
  for (const id of expected) {
    await expect
      .poll(() => listedPeerIds(peer.page), { message: `${peer.name}: peer list shows ${id}`, timeout: 20_000 })
      .toContain(id);
  }
}

async function expectPeerGone(peer: Peer, goneId: string): Promise<void> {
  await expect
    .poll(async () => (await peersOf(peer.page)) ?? [], { message: `${peer.name}: meshpad.peers() drops ${goneId}`, timeout: 20_000 })
    .not.toContain(goneId);
  await expect
    .poll(() => listedPeerIds(peer.page), { message: `${peer.name}: peer list drops ${goneId}`, timeout: 20_000 })
    .not.toContain(goneId);
}

async function expectChannels(peer: Peer, otherId: string): Promise<void> {
  // Wait until all five are open (they may open one after another), then check each one.
  await expect
    .poll(
      async () => {
        const list = (await channelsOf(peer.page))?.[otherId] ?? [];
        return list.filter((c) => c.readyState === 'open').length;
      },
      { message: `${peer.name}: 5 open channels to ${otherId}` },
    )
    .toBe(EXPECTED_CHANNELS.length);
  const channels = (await channelsOf(peer.page))?.[otherId] ?? [];
  expect(channels.map((c) => c.label).sort(), `${peer.name}: channel labels`).toEqual(
    EXPECTED_CHANNELS.map((c) => c.label).sort(),
  );
  for (const want of EXPECTED_CHANNELS) {
    const got = channels.find((c) => c.label === want.label);
    expect(got, `${peer.name}: channel ${want.label}`).toMatchObject({
      label: want.label,
      ordered: want.ordered,
      maxRetransmits: want.maxRetransmits,
      readyState: 'open',
    });
    // Chromium does not implement RTCDataChannel.priority (undefined); where a browser does, it must match.
    if (got?.priority !== undefined) expect(got.priority, `${peer.name}: ${want.label}.priority`).toBe(want.priority);
  }
}

test('"New room" opens /r/<roomId>#<secret>', async ({ openPeers }) => {
  const [a] = await openPeers(1);
  if (!a) throw new Error('no peer');
  const room = await createRoom(a.page);
  expect(room.roomId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  expect(room.secret).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  expect(new URL(room.url).pathname).toBe(`/r/${room.roomId}`);
  await waitForSelfId(a.page);
});

test('two peers connect with five channels, edit together, a third joins, one leaves', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');

  const room = await test.step('A creates a room', () => createRoom(a.page));
  const aId = await waitForSelfId(a.page);

  const bId = await test.step('B opens the room URL and connects to A', async () => {
    const t0 = now();
    await b.page.goto(room.url);
    await b.page.waitForFunction(
      (id) => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.peers().includes(id) ?? false,
      aId,
      { polling: 5, timeout: 30_000 },
    );
    metric('join: B page.goto → A in B.peers() (code-sync open)', now() - t0);
    const id = await selfIdOf(b.page);
    if (!id) throw new Error('B has no selfId');
    return id;
  });
  expect(bId).not.toBe(aId);

  await test.step('both list each other', async () => {
    await expectPeers(a, [bId]);
    await expectPeers(b, [aId]);
  });

  await test.step('five data channels with the right options, all open', async () => {
    await expectChannels(a, bId);
    await expectChannels(b, aId);
  });

  let text = '';
  await test.step('typing in A appears in B', async () => {
    await focusEditorEnd(a.page);
    await a.page.keyboard.type('const a = 1;');
    text = 'const a = 1;';
    await expectText(a, text);
    await expectText(b, text);
  });

  await test.step('typing in B appears in A', async () => {
    await focusEditorEnd(b.page);
    await b.page.keyboard.type(' let b = 2;');
    text += ' let b = 2;';
    await expectText(b, text);
    await expectText(a, text);
  });

  await test.step("Undo in A takes back A's typing only, not B's; Redo brings it back", async () => {
    await a.page.keyboard.press('ControlOrMeta+z');
    await expectText(a, ' let b = 2;');
    await expectText(b, ' let b = 2;');
    await a.page.keyboard.press('ControlOrMeta+Shift+KeyZ');
    await expectText(a, text);
    await expectText(b, text);
  });

  await test.step('keystroke → visible latency (A → B)', async () => {
    await focusEditorEnd(a.page);
    text += ' ';
    await a.page.keyboard.type(' ');
    await expectText(b, text);
    await installKeydownClock(a.page);
    const samples: number[] = []; // keydown in A → text + editor DOM updated in B (in-page clocks)
    const roundTrips: number[] = []; // the same seen from the test runner (adds CDP round trips)
    for (const ch of 'abcdefghijklmnopqrst') {
      const expected = text + ch;
      await armVisibleWatch(b.page, expected);
      const t0 = now();
      await a.page.keyboard.press(ch);
      const shownAt = await visibleAt(b.page);
      roundTrips.push(now() - t0);
      samples.push(shownAt - (await lastKeydownAt(a.page)));
      text = expected;
    }
    metric(`keystroke A → visible in B, p50 (n=${samples.length})`, median(samples));
    metric(`keystroke A → visible in B, max (n=${samples.length})`, percentile(samples, 100));
    metric(`keystroke A → visible in B as seen by the runner (incl. CDP), p50`, median(roundTrips));
    await expectText(a, text);
    await expectText(b, text);
  });

  const [c] = await openPeers(1);
  if (!c) throw new Error('no peer C');
  const cId = await test.step('C joins later and receives the whole document', async () => {
    const t0 = now();
    await c.page.goto(room.url);
    await expectText(c, text);
    metric('late join: C page.goto → whole document in C', now() - t0);
    return waitForSelfId(c.page);
  });

  await test.step('everyone sees everyone', async () => {
    await expectPeers(c, [aId, bId]);
    await expectPeers(a, [bId, cId]);
    await expectPeers(b, [aId, cId]);
  });

  await test.step('B closes: it disappears from A and C', async () => {
    const t0 = now();
    await b.context.close();
    await expectPeerGone(a, bId);
    await expectPeerGone(c, bId);
    metric('leave: B context.close → gone from A and C', now() - t0);
    await expectPeers(a, [cId]);
    await expectPeers(c, [aId]);
  });
});

test('a room link joins over the socket index.html opened before the app loaded: one socket, one hello, no page error', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const room = await createRoom(a.page);
  const aId = await waitForSelfId(a.page);

  const sockets: string[] = [];
  const hellos: string[] = [];
  const pageErrors: string[] = [];
  b.page.on('pageerror', (error) => pageErrors.push(error.message));
  b.page.on('websocket', (ws) => {
    sockets.push(ws.url());
    ws.on('framesent', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.includes('"hello"')) hellos.push(frame.payload);
    });
  });
  await b.page.goto(room.url);
  await b.page.waitForFunction(
    (id) => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.peers().includes(id) ?? false,
    aId,
    { polling: 10, timeout: 30_000 },
  );
  expect(sockets.filter((url) => url.includes(`/api/rooms/${room.roomId}/ws`))).toHaveLength(1);
  expect(hellos.map((h) => JSON.parse(h) as unknown)).toEqual([{ type: 'hello', v: PROTOCOL_VERSION }]);
  // The UI has replaced the loading placeholder with the room.
  await expect(b.page.getByText('Loading Meshpad…')).toHaveCount(0);
  await expect(editorOf(b.page)).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a joining page shows the room text in its loading placeholder until the editor has loaded', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const room = await createRoom(a.page);
  const text = 'const shownEarly = "before the editor";';
  await focusEditorEnd(a.page);
  await a.page.keyboard.type(text);

  // Hold the UI chunk (CodeMirror and Lit) back: the page must show the text without it.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await b.page.route(/\/assets\/app-shell-[^/]*\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await b.page.goto(room.url);
  await expect(b.page.locator('meshpad-app .boot pre')).toHaveText(text, { timeout: 30_000 });
  await expect(editorOf(b.page)).toHaveCount(0);

  release();
  await expect(editorOf(b.page)).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => editorTextOf(b.page), { message: 'B: the editor shows the room text' }).toBe(text);
  await expect(b.page.getByText('Loading Meshpad…')).toHaveCount(0);
});
