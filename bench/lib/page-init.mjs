// In-page probes of the bench, installed with `context.addInitScript(pageInit, options)` before
// any script of the page runs. The function is serialised by Playwright: it must not reference
// anything outside its own body.
//
// window.__bench gives the bench one shape for both stacks:
//   api()       window.meshpad (Meshpad) or window.yw (y-webrtc comparison page)
//   view()      the CodeMirror EditorView (Meshpad: through the .cm-content tile, inside
//               <meshpad-editor>'s shadow root; y-webrtc page: window.yw.view)
//   pcs         every RTCPeerConnection the page created ({ pc, createdAt }), for getStats()
//   keydowns    performance.timeOrigin + performance.now() of every keydown (capture phase)
// Timestamps: `now()` (timeOrigin + performance.now(), comparable across the pages of one
// machine) for in-page latencies; Date.now() where the start is taken in Node.

/**
 * @param {{ p1Marker?: string | null }} options
 */
export function pageInit(options) {
  const now = () => performance.timeOrigin + performance.now();
  const pcs = [];
  const Original = window.RTCPeerConnection;
  if (typeof Original === 'function') {
    // A transparent subclass: only records the instance.
    class BenchRTCPeerConnection extends Original {
      constructor(...args) {
        super(...args);
        // The connection's milestones, for BENCH_P1_MARKS ([what, epoch ms]).
        const events = [];
        const at = (what) => events.push([what, Date.now()]);
        this.addEventListener('signalingstatechange', () => at(`signaling:${this.signalingState}`));
        this.addEventListener('icegatheringstatechange', () => at(`gathering:${this.iceGatheringState}`));
        this.addEventListener('iceconnectionstatechange', () => at(`ice:${this.iceConnectionState}`));
        this.addEventListener('connectionstatechange', () => at(`pc:${this.connectionState}`));
        this.addEventListener('datachannel', (ev) => at(`remote-channel:${ev.channel.label}`));
        pcs.push({ pc: this, createdAt: Date.now(), events });
      }
    }
    window.RTCPeerConnection = BenchRTCPeerConnection;
  }

  /** First element matching `selector`, looking inside open shadow roots too (Meshpad nests them). */
  const deepQuery = (root, selector) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) {
        const inner = deepQuery(el.shadowRoot, selector);
        if (inner) return inner;
      }
    }
    return null;
  };
  let contentCache = null;
  // Signaling socket creation time (P1 breakdown), its first frames each way (P1 marks: when each
  // signaling hop left one page and reached the other), and RTCDataChannel.send times (P2 breakdown).
  let firstSocketAt = null;
  /** [direction, Date.now(), frame length], the first 100 frames of all of the page's sockets. */
  const wsLog = [];
  const logFrame = (/** @type {'out'|'in'} */ dir, data) => {
    if (wsLog.length < 100) wsLog.push([dir, Date.now(), typeof data === 'string' ? data.length : (data?.byteLength ?? 0)]);
  };
  const OriginalWebSocket = window.WebSocket;
  if (typeof OriginalWebSocket === 'function') {
    class BenchWebSocket extends OriginalWebSocket {
      constructor(...args) {
        super(...args);
        if (firstSocketAt === null) firstSocketAt = Date.now();
        this.addEventListener('message', (event) => logFrame('in', event.data));
      }
      send(data) {
        logFrame('out', data);
        return super.send(data);
      }
    }
    window.WebSocket = BenchWebSocket;
  }
  const sendLog = { armed: false, entries: [] };
  if (typeof RTCDataChannel === 'function') {
    const originalSend = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (data) {
      if (sendLog.armed) sendLog.entries.push([performance.timeOrigin + performance.now(), this.label]);
      return originalSend.call(this, data);
    };
  }
  // Message arrival times on this page's data channels (P2/P4 breakdown: on the wire vs in the page).
  const recvLog = { armed: false, entries: [] };
  if (typeof RTCPeerConnection === 'function') {
    const stamp = (channel) =>
      channel.addEventListener('message', () => {
        if (recvLog.armed) recvLog.entries.push([performance.timeOrigin + performance.now(), channel.label]);
      });
    const originalCreate = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (...args) {
      const channel = originalCreate.apply(this, args);
      stamp(channel);
      return channel;
    };
    const OriginalPeerConnection = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends OriginalPeerConnection {
      constructor(...args) {
        super(...args);
        this.addEventListener('datachannel', (event) => stamp(event.channel));
      }
    };
  }

  const content = () => {
    if (contentCache?.isConnected) return contentCache;
    contentCache = deepQuery(document, '.cm-content');
    return contentCache;
  };
  const api = () => window.meshpad ?? window.yw ?? null;
  const view = () => {
    if (window.yw?.view) return window.yw.view;
    const c = content();
    if (!c) return null;
    // @codemirror/view 6.4x keeps its view tree on `cmTile`; older releases on `cmView`.
    return c.cmTile?.root?.view ?? c.cmView?.view ?? c.cmView?.rootView?.view ?? null;
  };

  // Main-thread tasks over 50 ms (epoch start, duration), for BENCH_P1_MARKS.
  const longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push([Math.round(performance.timeOrigin + e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}

  const keydowns = [];
  window.addEventListener('keydown', () => keydowns.push(now()), { capture: true });

  const bench = {
    now,
    pcs,
    longTasks,
    wsLog,
    keydowns,
    api,
    view,
    content,
    /** Ready to be measured: editor mounted and joined signaling (a self id / connected socket). */
    ready() {
      const a = api();
      if (!a || !view()) return false;
      if (window.yw) return a.signalingPhase() === 'connected';
      return a.selfId() !== null;
    },
    /**
     * The page's service worker (Meshpad's PWA; y-webrtc's page has none) has installed and
     * activated, i.e. its one-time precache of the app is over (openRoom waits for this).
     */
    async serviceWorkerSettled() {
      if (!window.meshpad || !navigator.serviceWorker) return true;
      const registration = await navigator.serviceWorker.getRegistration();
      return registration?.active?.state === 'activated' && !registration.installing && !registration.waiting;
    },
    peerCount() {
      return api()?.peers().length ?? 0;
    },
    /** Insert `s` at `pos` (default: the end) through the editor, like typing a paste. */
    insert(s, pos) {
      const v = view();
      const at = pos ?? v.state.doc.length;
      v.dispatch({ changes: { from: at, insert: s } });
      return v.state.doc.length;
    },
    docLength() {
      return view()?.state.doc.length ?? -1;
    },
    editorText() {
      return view()?.state.doc.toString() ?? null;
    },

    // ---- P1: page opened → link open / remote text visible (stamped from document start) ----
    // Where the time goes (Date.now() stamps): app hook present, signaling joined, editor
    // mounted, first RTCPeerConnection created, link open, remote text visible.
    p1: { hookAt: null, socketAt: null, iceServersAt: null, joinedAt: null, editorAt: null, pcAt: null, connectedAt: null, textAt: null, editorTextAt: null, domContentLoadedAt: null },
    sendLog,
    recvLog,

    // ---- P2: keystroke in another page → visible here ----
    seen: [],
    seenBase: 0,
    armSeen() {
      const v = view();
      bench.seen = [];
      bench.seenBase = v.state.doc.length;
      if (bench.seenObserver) bench.seenObserver.disconnect();
      const record = () => {
        const len = view().state.doc.length;
        const t = now();
        while (bench.seen.length < len - bench.seenBase) bench.seen.push(t);
      };
      bench.seenObserver = new MutationObserver(record);
      bench.seenObserver.observe(content(), { childList: true, subtree: true, characterData: true });
      return bench.seenBase;
    },
    disarmSeen() {
      bench.seenObserver?.disconnect();
      bench.seenObserver = null;
      return bench.seen.length;
    },

    // ---- P5: bulk offline edits, then "document reached length N" ----
    /**
     * `count` separate transactions, each inserting `${tag}${i} ` (every 4th ends a line) at a
     * pseudo-random position inside the document's block comment (`/*` … `*\/`): the text
     * stays a single comment token, so CodeMirror's JavaScript parser (which otherwise spends
     * its whole per-transaction budget on error recovery) does not dominate the edit time.
     * Returns the number of inserted characters.
     */
    bulkEdits(tag, count, seed) {
      const v = view();
      const doc = v.state.doc.toString();
      const from = doc.indexOf('/*\n') + 3;
      let to = doc.lastIndexOf('\n*/');
      if (from < 3 || to < from) throw new Error('bulkEdits: the document has no /* … */ block');
      let x = seed >>> 0 || 1;
      let inserted = 0;
      for (let i = 0; i < count; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const pos = from + (x % (to - from + 1));
        const s = i % 4 === 3 ? `${tag}${i}\n` : `${tag}${i} `;
        v.dispatch({ changes: { from: pos, insert: s } });
        inserted += s.length;
        to += s.length;
      }
      return inserted;
    },
    lengthAt: null,
    armLength(expected, timeoutMs) {
      bench.lengthAt = null;
      const v = view;
      let observer = null;
      let timer = null;
      const stop = () => {
        observer?.disconnect();
        clearInterval(timer);
      };
      const check = () => {
        if (bench.lengthAt === null && v().state.doc.length === expected) {
          bench.lengthAt = Date.now();
          stop();
        }
      };
      observer = new MutationObserver(check);
      observer.observe(content(), { childList: true, subtree: true, characterData: true });
      timer = setInterval(check, 2);
      setTimeout(stop, timeoutMs);
      check();
    },

    // ---- P6: close the link to `peer`, then watch it come back and a marker arrive ----
    p6: null,
    startP6(peer, marker, timeoutMs) {
      const st = { t0: Date.now(), closed: false, droppedAt: null, reconnectedAt: null, markerAt: null };
      bench.p6 = st;
      st.closed = api().closeConnection(peer);
      const timer = setInterval(() => {
        const open = api().peers().includes(peer);
        const t = Date.now();
        if (st.droppedAt === null && !open) st.droppedAt = t;
        if (st.droppedAt !== null && st.reconnectedAt === null && open) st.reconnectedAt = t;
        if (st.markerAt === null && api().text().includes(marker)) st.markerAt = t;
        if ((st.reconnectedAt !== null && st.markerAt !== null) || t - st.t0 > timeoutMs) clearInterval(timer);
      }, 2);
      return st.closed;
    },

    // ---- bytes on the wire (getStats of the RTCPeerConnections created since `sinceIndex`) ----
    async wireBytes(sinceIndex) {
      let dcSent = 0;
      let dcReceived = 0;
      let transportSent = 0;
      let transportReceived = 0;
      for (const { pc } of pcs.slice(sinceIndex)) {
        let report;
        try {
          report = await pc.getStats();
        } catch {
          continue;
        }
        report.forEach((s) => {
          if (s.type === 'data-channel') {
            dcSent += s.bytesSent ?? 0;
            dcReceived += s.bytesReceived ?? 0;
          } else if (s.type === 'transport') {
            transportSent += s.bytesSent ?? 0;
            transportReceived += s.bytesReceived ?? 0;
          }
        });
      }
      return { dcSent, dcReceived, transportSent, transportReceived, pcs: pcs.length - sinceIndex };
    },
  };
  /**
   * Meshpad: from now on, note each code-sync message sent or received (direction, sync type
   * 0 = step 1, 1 = step 2, 2 = update, bytes, time) for the failure report (at most 200).
   */
  bench.recordCodeSync = () => {
    const log = [];
    bench.codeSyncLog?.stop();
    const stop = window.meshpad?.onFrame((direction, label, data, at) => {
      if (label === 'code-sync' && log.length < 200) log.push([direction, data[0], data.length, Math.round(at)]);
    });
    bench.codeSyncLog = { log, stop: () => stop?.() };
  };
  /** A summary of this page's state for failure reports. */
  bench.diag = () => {
    const a = api();
    const out = { docLength: bench.docLength(), peers: a?.peers() ?? null, selfId: a?.selfId() ?? null, signaling: a?.signalingPhase?.() ?? null };
    if (window.meshpad) {
      out.links = window.meshpad.linkStates();
      out.textLength = window.meshpad.text().length;
      out.frames = window.meshpad.frames();
      if (bench.codeSyncLog) out.codeSync = bench.codeSyncLog.log;
    }
    if (window.yw?.provider.room) {
      out.links = Object.fromEntries(
        [...window.yw.provider.room.webrtcConns.entries()].map(([id, c]) => [
          id,
          { connected: c.connected, closed: c.closed, synced: c.synced, pc: c.peer?._pc?.connectionState ?? null, dc: c.peer?._channel?.readyState ?? null },
        ]),
      );
    }
    out.pcs = pcs.map(({ pc, createdAt }) => ({ createdAt, state: pc.connectionState }));
    return out;
  };
  window.__bench = bench;

  const marker = options?.p1Marker;
  if (marker) {
    const started = Date.now();
    let lastSearch = 0;
    const timer = setInterval(() => {
      const p1 = bench.p1;
      const t = Date.now();
      const a = api();
      if (p1.hookAt === null && a) p1.hookAt = t;
      if (p1.joinedAt === null && a && (window.yw ? a.signalingPhase() === 'connected' : a.selfId() !== null)) p1.joinedAt = t;
      if (p1.pcAt === null && pcs.length > 0) p1.pcAt = pcs[0].createdAt;
      if (p1.socketAt === null && firstSocketAt !== null) p1.socketAt = firstSocketAt;
      if (p1.iceServersAt === null) {
        const ice = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/ice-servers'));
        if (ice && ice.responseEnd > 0) p1.iceServersAt = Math.round(performance.timeOrigin + ice.responseEnd);
      }
      if (p1.domContentLoadedAt === null) {
        const nav = performance.getEntriesByType('navigation')[0];
        if (nav && nav.domContentLoadedEventEnd > 0) p1.domContentLoadedAt = Math.round(performance.timeOrigin + nav.domContentLoadedEventEnd);
      }
      if (p1.connectedAt === null && (a?.peers().length ?? 0) > 0) p1.connectedAt = t;
      // Until the editor exists, walk the (shadow) DOM for it at most every 10 ms.
      let c = contentCache?.isConnected ? contentCache : null;
      if (!c && t - lastSearch >= 10) {
        lastSearch = t;
        c = content();
      }
      if (p1.editorAt === null && c) p1.editorAt = t;
      if (p1.editorTextAt === null && (c?.textContent ?? '').includes(marker)) {
        p1.editorTextAt = t;
        if (p1.textAt === null) p1.textAt = t;
      }
      if (p1.connectedAt !== null && p1.editorTextAt !== null) {
        clearInterval(timer);
        // Exposed by bench/lib/p1-bench.mjs (page.exposeBinding): the measurement is over.
        window.__benchP1Done?.();
      } else if (t - started > 60_000) clearInterval(timer);
    }, 2);
    // The text may be rendered before (or outside) an editor: any rendered element of the
    // document (not of shadow roots: the editor poll above covers those) showing the marker.
    const visible = new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
        if (el && (el.textContent ?? '').includes(marker) && el.checkVisibility()) {
          if (bench.p1.textAt === null) bench.p1.textAt = Date.now();
          visible.disconnect();
          return;
        }
      }
    });
    visible.observe(document, { subtree: true, childList: true, characterData: true });
  }
}
