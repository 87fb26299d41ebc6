// P9 (issue 9): live cursors, 4 Meshpad peers in one room, every peer moving its caret at 30 Hz
// for a fixed time. The figure, per cursor-pos frame: arrived at the receiver's mesh (frame tap,
// before any handler) → remote caret updated in its editor DOM (the tap's listener runs after the
// cursor provider applied the frame, and y-codemirror.next re-renders synchronously in that
// call). Also reported: sent (the sender's tap) → caret in the DOM, end to end over the link, and
// sent → the receiver's next animation frame (the paint that shows it; vsync-bound, so it adds
// up to one display frame whatever the implementation). Timestamps are performance.timeOrigin +
// performance.now() in each page, comparable across the pages of one browser; frames are matched
// by (Yjs client id, seq), decoded from the frame header.
// Meshpad only (y-webrtc has no cursor channel to compare).
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize } from './stats.mjs';

export const P9_PEERS = 4;
export const P9_HZ = 30;
export const P9_TARGET_P99_MS = 16.7;

const TEXT = Array.from({ length: 40 }, (_, i) => `const cursorLine${String(i).padStart(2, '0')} = ${i};`).join('\n');

/** In-page: record every cursor-pos frame sent and received (after it was applied) and the next paint. */
function installRecorder() {
  const b = /** @type {any} */ (window).__bench;
  const rec = { sent: /** @type {number[][]} */ ([]), applied: /** @type {number[][]} */ ([]), painted: /** @type {number[][]} */ ([]), mover: 0 };
  // applied: [client, seq, arrived, rendered in the DOM]
  const readVarUint = (/** @type {Uint8Array} */ bytes, /** @type {number} */ at) => {
    let n = 0;
    let mult = 1;
    for (let i = at; i < at + 8 && i < bytes.length; i++) {
      const x = /** @type {number} */ (bytes[i]);
      n += (x & 127) * mult;
      if (x < 128) return [n, i + 1];
      mult *= 128;
    }
    return [-1, bytes.length];
  };
  /** Frame header: u8 version | varuint seq | varuint client (web/src/sync/cursor-codec.ts). */
  const header = (/** @type {Uint8Array} */ data) => {
    const [seq, next] = readVarUint(data, 1);
    const [client] = readVarUint(data, /** @type {number} */ (next));
    return [client, seq];
  };
  /** @type {any} */ (window).meshpad.onFrame((/** @type {string} */ direction, /** @type {string} */ label, /** @type {Uint8Array} */ data, /** @type {number} */ at) => {
    if (label !== 'cursor-pos') return;
    const [client, seq] = header(data);
    if (direction === 'sent') {
      rec.sent.push([client, seq, at]);
      return;
    }
    rec.applied.push([client, seq, at, b.now()]);
    requestAnimationFrame(() => rec.painted.push([client, seq, b.now()]));
  });
  /** @type {any} */ (window).__p9 = rec;
}

/** In-page: move the caret every 1000/hz ms over the first lines (so remote carets stay in view). */
function startMoving(/** @type {{ hz: number, offset: number }} */ { hz, offset }) {
  const b = /** @type {any} */ (window).__bench;
  const rec = /** @type {any} */ (window).__p9;
  const view = b.view();
  view.focus();
  const span = Math.min(view.state.doc.length, 400);
  let pos = offset % span;
  rec.mover = setInterval(() => {
    pos = (pos + 7) % span;
    view.dispatch({ selection: { anchor: pos } });
  }, 1000 / hz);
}

function stopMoving() {
  const rec = /** @type {any} */ (window).__p9;
  clearInterval(rec.mover);
  const b = /** @type {any} */ (window).__bench;
  return { sent: rec.sent, applied: rec.applied, painted: rec.painted, carets: b.content()?.querySelectorAll('.cm-ySelectionCaret').length ?? 0 };
}

/**
 * @param {{
 *   openRoom: (stack: 'meshpad', n: number) => Promise<{ peers: Array<{ page: import('playwright-core').Page }> }>,
 *   closePeers: (peers: any[]) => Promise<void>,
 *   putFigure: (key: string, title: string, unit: string, samples: Record<string, number[]>, extra?: Record<string, unknown>) => void,
 *   log: (msg: string) => void,
 *   seconds: number,
 * }} ctx
 */
export async function figureP9({ openRoom, closePeers, putFigure, log, seconds }) {
  const { peers } = await openRoom('meshpad', P9_PEERS);
  try {
    const length = await peers[0].page.evaluate((s) => /** @type {any} */ (window).__bench.insert(s, 0), TEXT);
    await Promise.all(peers.map((p) => p.page.waitForFunction((l) => /** @type {any} */ (window).__bench.docLength() === l, length, { polling: 10, timeout: 20_000 })));
    await Promise.all(peers.map((p) => p.page.evaluate(installRecorder)));
    await Promise.all(peers.map((p, i) => p.page.evaluate(startMoving, { hz: P9_HZ, offset: 97 * i })));
    await sleep(seconds * 1000);
    const records = await Promise.all(peers.map((p) => p.page.evaluate(stopMoving)));

    const sentAt = new Map();
    for (const r of records) for (const [client, seq, t] of r.sent) sentAt.set(`${client}:${seq}`, t);
    const arrivalToDom = [];
    const toDom = [];
    const toPaint = [];
    let unmatched = 0;
    for (const r of records) {
      for (const [client, seq, arrived, rendered] of r.applied) {
        arrivalToDom.push(rendered - arrived);
        const sent = sentAt.get(`${client}:${seq}`);
        if (sent === undefined) unmatched++;
        else toDom.push(rendered - sent);
      }
      for (const [client, seq, t] of r.painted) {
        const sent = sentAt.get(`${client}:${seq}`);
        if (sent !== undefined) toPaint.push(t - sent);
      }
    }
    const framesSent = records.map((r) => r.sent.length);
    const figure = summarize(arrivalToDom);
    const dom = summarize(toDom);
    const paint = summarize(toPaint);
    const extra = {
      peers: P9_PEERS,
      hz: P9_HZ,
      seconds,
      framesPerSecondPerPeer: framesSent.map((n) => Number((n / seconds).toFixed(1))),
      framesReceived: arrivalToDom.length,
      unmatched,
      remoteCaretsShownPerPage: records.map((r) => r.carets),
      sentToDom: dom,
      sentToNextPaint: paint,
      target: { p99Ms: P9_TARGET_P99_MS, met: figure.p99 !== null && figure.p99 <= P9_TARGET_P99_MS },
    };
    putFigure('p9_cursor_render', `P9 cursor frame arrived → rendered, ${P9_PEERS} peers at ${P9_HZ} Hz`, 'ms', { meshpad: arrivalToDom }, extra);
    log(
      `P9: ${arrivalToDom.length} frames; arrived → caret in DOM median ${figure.median} ms, p99 ${figure.p99} ms (target ≤ ${P9_TARGET_P99_MS}: ${extra.target.met ? 'met' : 'NOT met'}); ` +
        `sent → DOM median ${dom.median}, p99 ${dom.p99} ms; sent → next paint median ${paint.median}, p99 ${paint.p99} ms; ` +
        `frames/s per peer ${extra.framesPerSecondPerPeer.join(', ')}; remote carets shown ${extra.remoteCaretsShownPerPage.join(', ')}`,
    );
  } finally {
    await closePeers(peers);
  }
}
