// P1 connect: a second page opens the room URL (page.goto) → its link to the first peer is open,
// → the first peer's text is visible on the page (in the editor, or before it in any rendered
// element: Meshpad's loading placeholder), → the text is in the editor, editable. Both stacks,
// alternating; the start is stamped in Node, the ends in the page (bench/lib/page-init.mjs).
import { randomBytes } from 'node:crypto';
import { startWhenQuiet } from './machine-quiet.mjs';
import { summarize } from './stats.mjs';

/**
 * What run.mjs lends this figure.
 * @typedef {object} P1Context
 * @property {(stack: 'meshpad'|'ywebrtc', n: number) => Promise<{ url: string, peers: any[] }>} openRoom
 * @property {(stack: string, init?: { p1Marker?: string }) => Promise<any>} newPeer
 * @property {(peer: any, fn: string, ...args: unknown[]) => Promise<unknown>} call
 * @property {(peers: any[]) => Promise<void>} closePeers
 * @property {(figure: string, stack: string, err: unknown, peers: any[]) => Promise<void>} reportFailure
 * @property {(key: string, title: string, unit: string, samples: Record<string, number[]>, extra?: Record<string, unknown>) => void} putFigure
 * @property {(line: string) => void} log
 * @property {(round: number) => ReadonlyArray<'meshpad'|'ywebrtc'>} order
 * @property {Record<'meshpad'|'ywebrtc', string>} label the stacks' names in the log
 * @property {number} reps joins per stack
 * @property {boolean} marks also log each join in detail (logJoinDetails)
 */

/**
 * BENCH_P1_MARKS: one join in detail, from page.goto (`t0`): the joiner's meshpad:* marks,
 * fetches and main-thread tasks over 50 ms, and both pages' RTCPeerConnection milestones.
 */
async function logJoinDetails(/** @type {(line: string) => void} */ log, /** @type {string} */ stack, /** @type {any} */ a, /** @type {any} */ b, /** @type {number} */ t0) {
  const marks = await b.page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name.replace('meshpad:', ''), Math.round(performance.timeOrigin + m.startTime)]));
  const res = await b.page.evaluate(() => performance.getEntriesByType('resource').map((r) => [/** @type {string} */ (r.name.split('/').pop()).slice(0, 16), Math.round(performance.timeOrigin + r.startTime), Math.round(performance.timeOrigin + r.responseEnd)]));
  log(`  marks ${stack}: ${marks.map(([n, t]) => `${n} ${t - t0}`).join(', ')}; fetched: ${res.map(([n, s, e]) => `${n} ${s - t0}→${e - t0}`).join(', ')}`);
  const pcEvents = (/** @type {any} */ peer, /** @type {boolean} */ last) =>
    peer.page.evaluate((l) => {
      const all = /** @type {any} */ (window).__bench.pcs;
      const entry = l ? all[all.length - 1] : all[0];
      return entry ? [['created', entry.createdAt], ...entry.events] : [];
    }, last);
  const longTasks = await b.page.evaluate(() => /** @type {any} */ (window).__bench.longTasks);
  log(`  ${stack} joiner's tasks over 50 ms: ${longTasks.map((/** @type {[number, number]} */ [s, d]) => `${s - t0}+${d}`).join(', ') || 'none'}`);
  for (const [who, events] of [['joiner', await pcEvents(b, false)], ['first peer', await pcEvents(a, true)]]) {
    log(`  ${stack} ${who}'s connection: ${events.map((/** @type {[string, number]} */ [n, t]) => `${n} ${t - t0}`).join(', ')}`);
  }
  for (const [who, peer] of [['joiner', b], ['first peer', a]]) {
    const frames = await peer.page.evaluate(() => /** @type {any} */ (window).__bench.wsLog);
    const since = frames.filter((/** @type {[string, number, number]} */ [, t]) => t >= t0);
    log(`  ${stack} ${who}'s signaling frames (direction time length): ${since.map((/** @type {[string, number, number]} */ [d, t, n]) => `${d} ${t - t0} ${n}`).join(', ') || 'none'}`);
  }
}

async function p1Once(/** @type {P1Context} */ ctx, /** @type {'meshpad'|'ywebrtc'} */ stack) {
  const { openRoom, newPeer, call, closePeers, reportFailure, log } = ctx;
  const marker = `p1_${randomBytes(16).toString('base64url').replace(/[-_]/g, 'x')}`;
  const { url, peers } = await openRoom(stack, 1);
  const [a] = peers;
  try {
    await call(a, 'insert', `const ${marker} = 1;\n`);
    const b = await newPeer(stack, { p1Marker: marker });
    peers.push(b);
    // The page reports the end through a binding, so Playwright evaluates nothing in it during the
    // join (waitForFunction polling injected a ~10 ms script mid-handshake: seen in both stacks' traces).
    /** @type {() => void} */
    let reported = () => {};
    const done = new Promise((resolve) => (reported = () => resolve(undefined)));
    await b.page.exposeBinding('__benchP1Done', () => reported());
    // The first peer's page has just started (its service worker may still be installing) and
    // the last join's browser contexts are closing: each join starts on a quiet machine.
    await startWhenQuiet(log, `P1 ${stack} join`);
    const t0 = Date.now();
    await b.page.goto(url, { waitUntil: 'commit' });
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('P1: link not open or text not in the editor after 30 s')), 30_000);
    });
    await Promise.race([done, timedOut]).finally(() => clearTimeout(timer));
    const p1 = await b.page.evaluate(() => /** @type {any} */ (window).__bench.p1);
    if (ctx.marks) await logJoinDetails(log, stack, a, b, t0);
    const rel = (/** @type {number | null} */ t) => (t === null ? null : t - t0);
    return {
      connect: p1.connectedAt - t0,
      text: p1.textAt - t0,
      editor: p1.editorTextAt - t0,
      breakdown: {
        domContentLoaded: rel(p1.domContentLoadedAt),
        appHook: rel(p1.hookAt),
        iceServersFetched: rel(p1.iceServersAt),
        signalingSocketCreated: rel(p1.socketAt),
        signalingJoined: rel(p1.joinedAt),
        editorMounted: rel(p1.editorAt),
        firstPeerConnection: rel(p1.pcAt),
        linkOpen: rel(p1.connectedAt),
        textVisible: rel(p1.textAt),
        textInEditor: rel(p1.editorTextAt),
      },
    };
  } catch (err) {
    await reportFailure('P1', stack, err, peers);
    throw err;
  } finally {
    await closePeers(peers);
  }
}

/**
 * P1 for both stacks, alternating, `ctx.reps` joins each; puts p1_connect, p1_text, p1_editor.
 * Returns the median of every breakdown stage per stack (printed with the table).
 * @param {P1Context} ctx
 */
export async function figureP1(ctx) {
  const { putFigure, log, order, label } = ctx;
  /** @type {Record<string, number[]>} */
  const connect = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const text = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number[]>} */
  const editor = { meshpad: [], ywebrtc: [] };
  /** @type {Record<string, number>} */
  const failures = { meshpad: 0, ywebrtc: 0 };
  /** @type {Record<string, Record<string, number | null>[]>} */
  const breakdowns = { meshpad: [], ywebrtc: [] };
  for (let r = 0; r < ctx.reps; r++) {
    for (const stack of order(r)) {
      try {
        const s = await p1Once(ctx, stack);
        connect[stack].push(s.connect);
        text[stack].push(s.text);
        editor[stack].push(s.editor);
        breakdowns[stack].push(s.breakdown);
        log(`P1 ${label[stack]} #${r + 1}: link open ${s.connect} ms, remote text visible ${s.text} ms, in the editor ${s.editor} ms (${Object.entries(s.breakdown).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      } catch (err) {
        failures[stack]++;
        log(`P1 ${label[stack]} #${r + 1} FAILED: ${/** @type {Error} */ (err).message.split('\n')[0]}`);
      }
    }
  }
  /** Median of every breakdown stage, per stack. */
  const stages = (/** @type {Record<string, number | null>[]} */ list) =>
    Object.fromEntries(Object.keys(list[0] ?? {}).map((k) => [k, summarize(list.map((b) => b[k]).filter((v) => v !== null)).median]));
  const breakdownMedians = { meshpad: stages(breakdowns.meshpad), ywebrtc: stages(breakdowns.ywebrtc) };
  putFigure('p1_connect', 'P1 page.goto → link to 1st peer open (2nd peer)', 'ms', connect, { failures, breakdownMedians });
  putFigure('p1_text', 'P1 page.goto → remote text visible (2nd peer)', 'ms', text, { failures });
  putFigure('p1_editor', 'P1 page.goto → remote text in the editor, editable (2nd peer)', 'ms', editor, { failures });
  return breakdownMedians;
}
