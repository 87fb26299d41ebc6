// P3 of the files figures (bench/lib/files-bench.mjs): a file A → B through the files panel,
// accepted, stored in OPFS and verified, in rounds interleaved with raw-channel runs of the same
// size; and the same once with loopback capped, so the link and not the CPU is the limit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dropsSince, startCpuProfiles, startTransfer, transferOf, udpReceiveDrops, waitStatus, waitStatusUnlessStalled } from './files-pages.mjs';
import { cpuPerMB, cpuSnapshot, cpuSpent, cpuSpentByThread } from './process-cpu.mjs';
import { sampleProcessMemory } from './process-memory.mjs';
import { ratio, summarize } from './stats.mjs';

/** @typedef {import('./files-pages.mjs').Peer} Peer @typedef {import('./files-pages.mjs').FilesBenchContext} FilesBenchContext */

/** One raw-channel baseline run of `bytes` to a receiver set up like the files receiver; MB/s or null when it failed. */
async function rawRun(/** @type {FilesBenchContext} */ ctx, /** @type {string} */ round, /** @type {number} */ bytes, /** @type {boolean} */ receiverOnDisk) {
  const { log } = ctx;
  try {
    const drops = udpReceiveDrops();
    let cpu = cpuSnapshot();
    /** @type {Record<string, number>} */
    let spent = {};
    /** @type {Record<string, number>} */
    let threads = {};
    const afterSend = () => {
      const now = cpuSnapshot();
      spent = cpuSpent(cpu, now);
      threads = cpuSpentByThread(cpu, now);
    };
    const mbps = await ctx.tpOnce({ bytes, receiverOnDisk, beforeSend: () => (cpu = cpuSnapshot()), beforeClose: afterSend });
    log(`files: raw channel #${round}: ${mbps.toFixed(2)} MB/s, UDP receive-buffer drops ${dropsSince(drops)}, CPU ${cpuPerMB(spent, bytes)} ms per MB, s ${JSON.stringify(spent)}`);
    if (process.env.BENCH_CPU_THREADS) log(`files: raw channel #${round} CPU s by thread ${JSON.stringify(threads)}`);
    return mbps;
  } catch (err) {
    log(`files: raw channel #${round} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
    return null;
  }
}

/**
 * One P3 run in the room of `a` and `b`: a file of `megabytes` MB dropped on A, accepted by B,
 * timed from Accept to all stored and to verified; B's memory sampled throughout. The file is
 * removed from B afterwards (its OPFS quota).
 */
async function p3Run(/** @type {FilesBenchContext} */ ctx, /** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {string} */ round, /** @type {number} */ megabytes) {
  const { log } = ctx;
  const p3Name = `p3-${round}-${megabytes}MB.bin`;
  // The receiver's JS heap (Chromium's performance.memory) sampled every 100 ms during P3.
  await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const used = () => w.performance.memory?.usedJSHeapSize ?? 0;
    w.__heap = { base: used(), max: used() };
    w.__heap.timer = setInterval(() => (w.__heap.max = Math.max(w.__heap.max, used())), 100);
  });
  const processMemory = await sampleProcessMemory(b.context);
  const cpuProfiles = process.env.BENCH_FILES_CPU_PROFILE_DIR ? await startCpuProfiles({ sender: a, receiver: b }) : null;
  const acceptedAt = await startTransfer(a, b, p3Name, megabytes, (ms) => log(`files: P3 #${round} dropped on A → offered in B (A hashes the file first): ${Math.round(ms)} ms`));
  // From Accept on, as the transfer is timed (the sender's hashing of the file before its offer is not).
  const p3Drops = udpReceiveDrops();
  const p3Cpu = cpuSnapshot();
  const storedAt = await b.page
    .waitForFunction(
      (n) => {
        const t = /** @type {any} */ (window).meshpad.files().find((/** @type {any} */ x) => x.name === n);
        if (t && t.status === 'failed') throw new Error(`transfer failed: ${t.error}`);
        return t && (t.bytesDone >= t.size || t.status === 'verified') ? performance.timeOrigin + performance.now() : false;
      },
      p3Name,
      { polling: 10, timeout: 600_000 },
    )
    .then((h) => /** @type {Promise<number>} */ (h.jsonValue()));
  const p3CpuAfter = cpuSnapshot();
  const p3Spent = cpuSpent(p3Cpu, p3CpuAfter);
  log(`files: P3 #${round} UDP receive-buffer drops during the transfer: ${dropsSince(p3Drops)}, CPU ${cpuPerMB(p3Spent, megabytes * 1e6)} ms per MB, s ${JSON.stringify(p3Spent)}`);
  if (process.env.BENCH_CPU_THREADS) log(`files: P3 #${round} CPU s by thread ${JSON.stringify(cpuSpentByThread(p3Cpu, p3CpuAfter))}`);
  if (cpuProfiles) await cpuProfiles.stop(/** @type {string} */ (process.env.BENCH_FILES_CPU_PROFILE_DIR), `p3-${round}`);
  const verifiedAt = await waitStatusUnlessStalled(a, b, p3Name, ['verified'], 600_000);
  const heap = /** @type {{ base: number, max: number }} */ (
    await b.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      clearInterval(w.__heap.timer);
      return { base: w.__heap.base, max: w.__heap.max };
    })
  );
  // What is still held once garbage is collected (a leak shows here; garbage awaiting GC does not).
  const session = await b.context.newCDPSession(b.page);
  await session.send('HeapProfiler.collectGarbage');
  await session.detach();
  const heapAfterGc = /** @type {number} */ (await b.page.evaluate(() => /** @type {any} */ (performance).memory?.usedJSHeapSize ?? 0));
  const rendererAfterGc = processMemory.rendererGrowthNow();
  const mem = await processMemory.stop();
  const result = {
    storedMBps: megabytes / ((storedAt - acceptedAt) / 1000),
    verifiedMBps: megabytes / ((verifiedAt - acceptedAt) / 1000),
    heapGrowthMB: mb(heap.max - heap.base),
    heapAfterGcMB: mb(heapAfterGc - heap.base),
    rendererRssBaseMB: mb(mem.renderersBase),
    rendererRssGrowthMB: mb(mem.renderersPeakGrowth),
    rendererRssAfterGcMB: mb(rendererAfterGc),
    browserRssGrowthMB: mb(mem.browserTreePeakGrowth),
    memorySamples: mem.samples,
    sentBytes: /** @type {number | null} */ ((await waitStatus(a, p3Name, ['delivered'], 60_000).then(() => transferOf(a, p3Name)))?.sentBytes ?? null),
  };
  log(`files: P3 #${round} receiver JS heap ${Math.round(heap.base / 1e6)} MB before, peak +${result.heapGrowthMB} MB during the transfer, +${result.heapAfterGcMB} MB after it and a forced GC (renderer RSS then +${result.rendererRssAfterGcMB} MB)`);
  log(`files: P3 #${round} receiver renderer RSS ${result.rendererRssBaseMB} MB before, peak +${result.rendererRssGrowthMB} MB; whole receiving browser ${mb(mem.browserTreeBase)} MB, peak +${result.browserRssGrowthMB} MB (${mem.samples} samples)`);
  // Free the receiver's storage quota for what follows (the copy kept in OPFS).
  await b.page.getByRole('listitem').filter({ hasText: p3Name }).getByRole('button', { name: 'Remove' }).click();
  await b.page.waitForFunction((n) => !/** @type {any} */ (window).meshpad.files().some((/** @type {any} */ t) => t.name === n), p3Name, { timeout: 60_000 });
  log(`files: P3 #${round} ${megabytes} MB stored at ${result.storedMBps.toFixed(2)} MB/s, verified at ${result.verifiedMBps.toFixed(2)} MB/s end to end`);
  return result;
}

const mb = (/** @type {number} */ v) => Number((v / 1e6).toFixed(1));
export const fmt = (/** @type {number | null} */ v) => (v === null ? '—' : String(v));
const two = (/** @type {number} */ v) => Number(v.toFixed(2));

/**
 * P3 in rounds, each a raw-channel run of the same size, then a P3 run in a fresh room (so no
 * room is open while the raw channel is measured). Both figures swing ±20 % from run to run on
 * this 2-core machine; interleaved rounds of equal size compare like with like. The target
 * compares the best of each (the issue's "best raw"); the medians are reported beside it.
 * `label` (a few words for the log and the title) comes with `tag`, a file-name-safe prefix for
 * the rounds' names.
 */
export async function p3Rounds(/** @type {FilesBenchContext} */ ctx, /** @type {number} */ rounds, /** @type {number} */ megabytes, label = '', tag = '') {
  const { log } = ctx;
  // BENCH_FILES_PROFILES=memory: both pages off the record in the shared browser (as before; OPFS in
  // memory, ≤ ~1.4 GiB); =disk-all: the sender too in its own browser on disk; default: the receiver only.
  const profiles = process.env.BENCH_FILES_PROFILES;
  const roomOptions = profiles === 'memory' ? {} : { persistent: /** @type {'all' | 'joiners'} */ (profiles === 'disk-all' ? 'all' : 'joiners') };
  /** @type {number[]} */
  const rawMBps = [];
  /** @type {Awaited<ReturnType<typeof p3Run>>[]} */
  const runs = [];
  /** @type {Peer[]} */
  let peers = [];
  for (let r = 1; r <= rounds; r++) {
    const rawResult = await rawRun(ctx, `${tag}${r}`, megabytes * 1e6, profiles !== 'memory');
    if (rawResult !== null) rawMBps.push(rawResult);
    peers = (await ctx.openRoom('meshpad', 2, roomOptions)).peers;
    const [a, b] = /** @type {[Peer, Peer]} */ (peers);
    try {
      runs.push(await p3Run(ctx, a, b, `${tag}${r}`, megabytes));
    } catch (err) {
      await ctx.closePeers(peers);
      throw err;
    }
    if (r < rounds) await ctx.closePeers(peers);
  }
  const best = (/** @type {number[]} */ v) => (v.length ? Math.max(...v) : null);
  const med = (/** @type {number[]} */ v) => summarize(v).median;
  const stored = runs.map((x) => x.storedMBps);
  const verified = runs.map((x) => x.verifiedMBps);
  const worst = (/** @type {(x: (typeof runs)[number]) => number} */ pick) => Math.max(...runs.map(pick));
  const p3 = {
    title: `P3 files A → B, ${megabytes} MB, accepted → all stored (and → verified) vs the raw channel, ${rounds} interleaved round${rounds === 1 ? '' : 's'} of each${label ? ` (${label})` : ''}`,
    unit: 'MB/s',
    filesMBps: stored.map(two),
    filesVerifiedMBps: verified.map(two),
    rawMBps: rawMBps.map(two),
    bestFilesMBps: two(/** @type {number} */ (best(stored))),
    bestRawMBps: best(rawMBps) === null ? null : two(/** @type {number} */ (best(rawMBps))),
    ratioBestToBestRaw: ratio(best(stored), best(rawMBps)),
    ratioVerifiedBestToBestRaw: ratio(best(verified), best(rawMBps)),
    ratioMedianToMedianRaw: ratio(med(stored), med(rawMBps)),
    target: '≥ 0.9 × best raw (best files run against best raw run, same size, same number of runs)',
    /** Worst round: peak growth of the receiving page's JS heap, its renderers' VmRSS (target ≲ 100 MB), the whole browser's. */
    receiverHeapGrowthMB: worst((x) => x.heapGrowthMB),
    receiverRendererRssGrowthMB: worst((x) => x.rendererRssGrowthMB),
    receiverBrowserRssGrowthMB: worst((x) => x.browserRssGrowthMB),
    /** After each transfer and a forced GC (HeapProfiler.collectGarbage): JS heap and renderer RSS above the start, worst round. */
    receiverHeapAfterGcMB: worst((x) => x.heapAfterGcMB),
    receiverRendererRssAfterGcMB: worst((x) => x.rendererRssAfterGcMB),
    runs,
  };
  const list = (/** @type {number[]} */ v) => v.map((x) => x.toFixed(1)).join(' / ');
  log(`files: P3${label ? ` (${label})` : ''} stored ${list(stored)} MB/s (verified ${list(verified)}), raw ${list(rawMBps)}: best/best ${p3.ratioBestToBestRaw}, median/median ${p3.ratioMedianToMedianRaw}`);
  const figure = {
    ...p3,
    rows: [
      [p3.title, 'MB/s', `best ${fmt(p3.bestFilesMBps)} of ${list(stored)} (verified best ${two(/** @type {number} */ (best(verified)))})`, `raw best ${fmt(p3.bestRawMBps)} of ${list(rawMBps)}`, `files/raw best ${fmt(p3.ratioBestToBestRaw)}, median ${fmt(p3.ratioMedianToMedianRaw)}`],
      [`P3 receiving page memory during a ${megabytes} MB transfer, peak growth (worst round)`, 'MB', `renderer RSS +${fmt(p3.receiverRendererRssGrowthMB)}`, `JS heap +${fmt(p3.receiverHeapGrowthMB)}`, `whole browser +${fmt(p3.receiverBrowserRssGrowthMB)}`],
    ],
  };
  return { figure, peers };
}

/** File size of the link-capped P3 control: at 80 Mbit/s a 128 MB run takes ~15 s. */
export const LINK_CAPPED_MB = 128;

/**
 * Control for P3: one round of the raw channel and of P3 with loopback capped at `mbit` Mbit/s
 * (a tc token bucket on `lo`, in the bench's own network namespace only), below what the CPU
 * allows, so the link and not the 2 cores is the limit. It tells whether files fall short of the
 * raw channel through their protocol and scheduling (they would here too) or through the CPU
 * their own work (reading, hashing, storing the file) takes from the link (they would not).
 */
export async function linkCappedP3(/** @type {FilesBenchContext} */ ctx, /** @type {number} */ mbit, /** @type {number} */ megabytes) {
  const { log, notes } = ctx;
  if (process.env.MESHPAD_NETNS !== '1') {
    notes.push('files P3 link-capped control skipped: not in a network namespace of our own (the cap would apply to the host\'s loopback)');
    return null;
  }
  // A normal user's PATH often lacks the sbin directories.
  const tcPath = ['/usr/sbin/tc', '/sbin/tc'].find((path) => existsSync(path)) ?? 'tc';
  const tc = (/** @type {string[]} */ args) => spawnSync(tcPath, args, { encoding: 'utf8' });
  const added = tc(['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '256kb', 'latency', '100ms']);
  if (added.status !== 0) {
    notes.push(`files P3 link-capped control skipped: tc could not cap lo (${(added.stderr || added.error?.message || '').trim()})`);
    return null;
  }
  try {
    log(`files: loopback capped at ${mbit} Mbit/s (tc tbf) for the P3 control`);
    const { figure, peers } = await p3Rounds(ctx, 1, megabytes, `lo capped at ${mbit} Mbit/s`, 'capped-');
    await ctx.closePeers(peers);
    const { rows, ...rest } = figure;
    return { ...rest, linkMbit: mbit, rows: rows.slice(0, 1) };
  } finally {
    tc(['qdisc', 'del', 'dev', 'lo', 'root']);
  }
}
