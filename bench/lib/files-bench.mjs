// File-transfer figures of the bench (issue 8), run by bench/run.mjs (`--only=files`):
//   P3 throughput (bench/lib/p3-bench.mjs): a file (default 256 MB) A → B through the files
//      panel, accepted, stored in OPFS and verified (whole-file SHA-256 read back), against the
//      raw single-channel throughput in the same Chromium in the same run (interleaved rounds of
//      equal size), and once more with loopback capped so the link is the limit.
//   P4 interference: keystroke A → visible in B, p99 while a transfer A → B saturates the link,
//      against the same measurement on the idle link (same room, same run).
//   Both pages run in their own browser with a profile on disk (persistent context): off the
//   record, OPFS is kept in memory with a quota that a 1 GB transfer exceeded (~1.4 GiB here),
//   and it would count the file in the browser's memory. During P3 the receiving browser's
//   process memory (VmRSS of its renderers, and of all its processes) is sampled, with the JS heap.
import { cancelTransfer, dropsSince, startCpuProfiles, startTransfer, transferOf, udpReceiveDrops, waitStatusUnlessStalled } from './files-pages.mjs';
import { LINK_CAPPED_MB, fmt, linkCappedP3, p3Rounds } from './p3-bench.mjs';
import { summarize } from './stats.mjs';

/** @typedef {import('./files-pages.mjs').Peer} Peer @typedef {import('./files-pages.mjs').FilesBenchContext} FilesBenchContext */

/**
 * Cursor frames: A moves its cursor (ArrowLeft, `count` times, `gapMs` apart); in B every mutation
 * of the editor content is the remote caret moving (the text does not change). Latency = A's
 * keydown → the first mutation in B after it (both in-page clocks).
 */
async function cursorLatency(/** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {number} */ count, /** @type {number} */ gapMs) {
  await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__caret = [];
    w.__caretObs?.disconnect();
    w.__caretObs = new MutationObserver(() => w.__caret.push(performance.timeOrigin + performance.now()));
    w.__caretObs.observe(w.__bench.content(), { childList: true, subtree: true, characterData: true, attributes: true });
  });
  await a.page.locator('meshpad-editor .cm-content').focus();
  await a.page.keyboard.press('ControlOrMeta+End');
  await new Promise((r) => setTimeout(r, 300));
  await b.page.evaluate(() => (/** @type {any} */ (window).__caret.length = 0));
  const k0 = /** @type {number} */ (await a.page.evaluate(() => /** @type {any} */ (window).__bench.keydowns.length));
  for (let i = 0; i < count; i++) {
    await a.page.keyboard.press('ArrowLeft');
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await new Promise((r) => setTimeout(r, 500));
  const keydowns = /** @type {number[]} */ (await a.page.evaluate((k) => /** @type {any} */ (window).__bench.keydowns.slice(k), k0));
  const seen = /** @type {number[]} */ (await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__caretObs.disconnect();
    return w.__caret;
  }));
  /** @type {number[]} */
  const latency = [];
  let j = 0;
  for (let i = 0; i < keydowns.length; i++) {
    const k = /** @type {number} */ (keydowns[i]);
    const next = keydowns[i + 1] ?? Infinity;
    while (j < seen.length && /** @type {number} */ (seen[j]) < k) j++;
    if (j < seen.length && /** @type {number} */ (seen[j]) < next + 1000) latency.push(/** @type {number} */ (seen[j]) - k);
  }
  return latency;
}

/**
 * Control for the "second RTCPeerConnection for bulk" question: a raw reliable channel on its
 * OWN connection between the same two pages saturates the link (same CPU load, but no SCTP
 * association shared with the keystrokes) for as long as `during()` runs.
 */
/** @template T @param {Peer} a @param {Peer} b @param {() => Promise<T>} during */
async function withSeparateBulkConnection(a, b, during) {
  const offer = await a.page.evaluate(async () => {
    const w = /** @type {any} */ (window);
    const pc = new RTCPeerConnection({ iceServers: [] });
    const dc = pc.createDataChannel('bulk', { ordered: true });
    dc.binaryType = 'arraybuffer';
    w.bulk = { pc, dc, open: new Promise((ok) => (dc.onopen = ok)), stop: false, sent: 0 };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') ok(undefined);
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok(undefined));
    });
    return pc.localDescription?.sdp;
  });
  const answer = await b.page.evaluate(async (sdp) => {
    const w = /** @type {any} */ (window);
    const pc = new RTCPeerConnection({ iceServers: [] });
    w.bulk = { pc, got: 0 };
    pc.ondatachannel = (ev) => (ev.channel.onmessage = (m) => (w.bulk.got += m.data.byteLength));
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') ok(undefined);
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok(undefined));
    });
    return pc.localDescription?.sdp;
  }, offer);
  await a.page.evaluate(async (sdp) => {
    const w = /** @type {any} */ (window);
    await w.bulk.pc.setRemoteDescription({ type: 'answer', sdp });
    await w.bulk.open;
    const dc = w.bulk.dc;
    const buf = new Uint8Array(64 * 1024);
    dc.bufferedAmountLowThreshold = 4 * 1024 * 1024;
    const pump = () => {
      while (!w.bulk.stop && dc.readyState === 'open' && dc.bufferedAmount < 8 * 1024 * 1024) {
        dc.send(buf);
        w.bulk.sent += buf.length;
      }
      if (!w.bulk.stop) dc.addEventListener('bufferedamountlow', pump, { once: true });
    };
    pump();
  }, answer);
  const t0 = Date.now();
  try {
    const result = await during();
    const got = /** @type {number} */ (await b.page.evaluate(() => /** @type {any} */ (window).bulk.got));
    return { result, mbps: got / 1e6 / ((Date.now() - t0) / 1000) };
  } finally {
    await a.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.bulk.stop = true;
      w.bulk.pc.close();
    });
    await b.page.evaluate(() => /** @type {any} */ (window).bulk.pc.close());
  }
}

export async function figureFiles(/** @type {FilesBenchContext} */ ctx) {
  const { figure: p3, peers } = await p3Rounds(ctx, ctx.quick ? 1 : 3, ctx.megabytes);
  ctx.figures.files_p3 = p3;
  try {
    if (!ctx.p3Only) await figureP4(ctx, /** @type {[Peer, Peer]} */ (peers));
  } finally {
    await ctx.closePeers(peers);
  }
  if (!ctx.quick && ctx.linkMbit > 0) {
    const capped = await linkCappedP3(ctx, ctx.linkMbit, LINK_CAPPED_MB);
    if (capped) ctx.figures.files_p3_link_capped = capped;
  }
}

/** P4 in the room of the last P3 round. */
async function figureP4(/** @type {FilesBenchContext} */ ctx, /** @type {[Peer, Peer]} */ [a, b]) {
  const { log, figures, raw, notes, megabytes } = ctx;
  // ---- P4 ----
  const keys = ctx.quick ? 40 : 200;
  const gapMs = 20;
  const idle = await ctx.typeAndMeasure(a, b, keys, gapMs);
  const p4Name = `p4-${megabytes}MB.bin`;
  await startTransfer(a, b, p4Name, megabytes);
  await b.page.waitForFunction((n) => (/** @type {any} */ (window).meshpad.files().find((/** @type {any} */ x) => x.name === n)?.bytesDone ?? 0) > 2_000_000, p4Name, { polling: 10, timeout: 60_000 });
  const p4Profiles = process.env.BENCH_FILES_CPU_PROFILE_DIR ? await startCpuProfiles({ sender: a, receiver: b }) : null;
  const dropsBefore = udpReceiveDrops();
  const busy = await ctx.typeAndMeasure(a, b, keys, gapMs);
  log(`files: P4 UDP receive-buffer drops while typing during the transfer: ${dropsSince(dropsBefore)}`);
  if (p4Profiles) await p4Profiles.stop(/** @type {string} */ (process.env.BENCH_FILES_CPU_PROFILE_DIR), 'p4');
  const afterTyping = await transferOf(b, p4Name);
  const saturatedThroughout = afterTyping?.status === 'receiving';
  if (!saturatedThroughout) notes.push(`files P4: the transfer ended (${afterTyping?.status}) before the keystrokes did; make --files-mb larger`);
  // Measured: the rest of the file is not needed (cancelled as a user would), unless it already ended.
  if (saturatedThroughout) await cancelTransfer(a, b, p4Name);
  else await waitStatusUnlessStalled(a, b, p4Name, ['verified'], 600_000);
  // Cursor frames: idle, then during another transfer.
  const cursorKeys = ctx.quick ? 30 : 100;
  const cursorIdle = await cursorLatency(a, b, cursorKeys, 50);
  const p4cName = `p4c-${megabytes}MB.bin`;
  await startTransfer(a, b, p4cName, megabytes);
  await b.page.waitForFunction((n) => (/** @type {any} */ (window).meshpad.files().find((/** @type {any} */ x) => x.name === n)?.bytesDone ?? 0) > 2_000_000, p4cName, { polling: 10, timeout: 60_000 });
  const cursorBusy = await cursorLatency(a, b, cursorKeys, 50);
  const cursorSaturated = (await transferOf(b, p4cName))?.status === 'receiving';
  if (!cursorSaturated) notes.push('files P4 cursors: the transfer ended before the cursor moves did');
  if (cursorSaturated) await cancelTransfer(a, b, p4cName);
  else await waitStatusUnlessStalled(a, b, p4cName, ['verified'], 600_000);
  const cursorIdleS = summarize(cursorIdle);
  const cursorBusyS = summarize(cursorBusy);
  log(`files: P4 cursor A → caret moved in B p50/p99 idle ${cursorIdleS.median}/${cursorIdleS.p99} ms [${cursorIdleS.n}], during transfer ${cursorBusyS.median}/${cursorBusyS.p99} ms [${cursorBusyS.n}]`);
  // The same keystrokes while a raw channel on a separate connection saturates the link.
  const control = await withSeparateBulkConnection(a, b, () => ctx.typeAndMeasure(a, b, keys, gapMs));
  const controlS = summarize(control.result.latency);
  log(`files: P4 control, bulk on a second RTCPeerConnection (${control.mbps.toFixed(1)} MB/s): keystroke p50/p99 ${controlS.median}/${controlS.p99} ms`);

  const idleS = summarize(idle.latency);
  const busyS = summarize(busy.latency);
  const p4 = {
    title: `P4 keystroke A → visible in B while a transfer A → B saturates the link vs idle (${keys} keys each)`,
    unit: 'ms',
    idle: idleS,
    duringTransfer: busyS,
    p99Increase: idleS.p99 !== null && busyS.p99 !== null ? Number((busyS.p99 - idleS.p99).toFixed(2)) : null,
    target: 'p99 ≤ idle p99 + 17 ms',
    /** keydown → RTCDataChannel.send in A: the sender page's own share. */
    aSideIdle: summarize(idle.aSide),
    aSideDuringTransfer: summarize(busy.aSide),
    /** A's RTCDataChannel.send → B's message event, and that → visible in B's editor. */
    wireIdle: summarize(idle.wire),
    wireDuringTransfer: summarize(busy.wire),
    bSideIdle: summarize(idle.bSide),
    bSideDuringTransfer: summarize(busy.bSide),
    saturatedThroughout,
    cursorIdle: cursorIdleS,
    cursorDuringTransfer: { ...cursorBusyS, saturatedThroughout: cursorSaturated },
    cursorP99Increase: cursorIdleS.p99 !== null && cursorBusyS.p99 !== null ? Number((cursorBusyS.p99 - cursorIdleS.p99).toFixed(2)) : null,
    /** Control: raw bulk data on a separate RTCPeerConnection instead of our files channel. */
    duringBulkOnSecondConnection: { ...controlS, bulkMBps: Number(control.mbps.toFixed(2)) },
  };
  figures.files_p4 = {
    ...p4,
    rows: [
      [p4.title, 'ms', `busy ${fmt(busyS.median)} (${fmt(busyS.p99)}) [${busyS.n}]`, `idle ${fmt(idleS.median)} (${fmt(idleS.p99)}) [${idleS.n}]`, `p99 +${fmt(p4.p99Increase)} ms`],
      ['P4 cursor move A → caret moved in B while a transfer runs vs idle', 'ms', `busy ${fmt(cursorBusyS.median)} (${fmt(cursorBusyS.p99)}) [${cursorBusyS.n}]`, `idle ${fmt(cursorIdleS.median)} (${fmt(cursorIdleS.p99)}) [${cursorIdleS.n}]`, `p99 +${fmt(p4.cursorP99Increase)} ms`],
      ['P4 control: raw bulk on a second RTCPeerConnection instead', 'ms', `busy ${fmt(controlS.median)} (${fmt(controlS.p99)}) [${controlS.n}]`, `bulk ${control.mbps.toFixed(1)} MB/s`, '—'],
    ],
  };
  raw.files_p4 = { idle: idle.latency, duringTransfer: busy.latency, duringBulkOnSecondConnection: control.result.latency, cursorIdle, cursorDuringTransfer: cursorBusy };
  log(`files: P4 keystroke p50/p99 idle ${idleS.median}/${idleS.p99} ms, during transfer ${busyS.median}/${busyS.p99} ms; keydown → send in A p99 idle ${p4.aSideIdle.p99}, during ${p4.aSideDuringTransfer.p99} ms; send → message in B p99 idle ${p4.wireIdle.p99}, during ${p4.wireDuringTransfer.p99} ms; message → visible in B p99 idle ${p4.bSideIdle.p99}, during ${p4.bSideDuringTransfer.p99} ms`);
}
