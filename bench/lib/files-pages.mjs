// Helpers the files figures share (bench/lib/files-bench.mjs, p3-bench.mjs): the pages' files
// panel driven from Playwright, the kernel's UDP drop counter, CPU profiles of the pages.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, stack: string }} Peer
 * @typedef {{
 *   openRoom: (stack: 'meshpad', n: number, opts?: { persistent?: 'all' | 'joiners' }) => Promise<{ url: string, peers: Peer[] }>,
 *   closePeers: (peers: Peer[]) => Promise<void>,
 *   typeAndMeasure: (a: Peer, b: Peer, count: number, gapMs: number) => Promise<{ latency: number[], aSide: number[], wire: number[], bSide: number[] }>,
 *   tpOnce: (opts?: { bytes?: number, receiverOnDisk?: boolean, beforeSend?: () => void, beforeClose?: () => void }) => Promise<number>,
 *   log: (msg: string) => void,
 *   figures: Record<string, unknown>,
 *   raw: Record<string, unknown>,
 *   notes: string[],
 *   quick: boolean,
 *   megabytes: number,
 *   p3Only?: boolean,
 *   linkMbit: number,
 * }} FilesBenchContext
 */


export const dropsSince = (/** @type {number | null} */ before) => {
  const now = udpReceiveDrops();
  return before === null || now === null ? 'unknown' : String(now - before);
};

/** UDP datagrams the kernel dropped for a full socket receive buffer so far (this network namespace). */
export function udpReceiveDrops() {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp: '));
  const [names, values] = lines.map((l) => l.slice(5).trim().split(/\s+/));
  const at = names?.indexOf('RcvbufErrors') ?? -1;
  return at >= 0 && values ? Number(values[at]) : null;
}

/** Creates `megabytes` MB of random bytes in the page and drops them on it as a file. */
export async function dropFile(/** @type {Peer} */ peer, /** @type {string} */ name, /** @type {number} */ megabytes) {
  await peer.page.evaluate(
    ({ name, megabytes }) => {
      const bytes = new Uint8Array(megabytes * 1_000_000);
      for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { name, megabytes },
  );
}

/** The transfer named `name` in the page's debug hook. */
export function transferOf(/** @type {Peer} */ peer, /** @type {string} */ name) {
  return peer.page.evaluate((n) => /** @type {any} */ (window).meshpad.files().find((/** @type {any} */ t) => t.name === n) ?? null, name);
}

/** Waits (in the page, polling every 10 ms) for `name` to reach one of `statuses`; returns the in-page time. */
export function waitStatus(/** @type {Peer} */ peer, /** @type {string} */ name, /** @type {string[]} */ statuses, /** @type {number} */ timeout) {
  return peer.page
    .waitForFunction(
      ([n, s]) => {
        const t = /** @type {any} */ (window).meshpad.files().find((/** @type {any} */ x) => x.name === n);
        if (t && t.status === 'failed') throw new Error(`transfer failed: ${t.error}`);
        return t && s.includes(t.status) ? performance.timeOrigin + performance.now() : false;
      },
      /** @type {const} */ ([name, statuses]),
      { polling: 10, timeout },
    )
    .then((handle) => /** @type {Promise<number>} */ (handle.jsonValue()));
}

/** No change in B's status or bytes for this long: the transfer is stuck, not slow. */
export const STALL_MS = 60_000;

/**
 * waitStatus on B, failing early, with both sides' view of the transfer, once B's status and
 * bytes stop changing for STALL_MS (a stuck transfer then costs a minute, not the whole timeout).
 */
export async function waitStatusUnlessStalled(/** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {string} */ name, /** @type {string[]} */ statuses, /** @type {number} */ timeout) {
  let watching = true;
  const watch = (async () => {
    let last = '';
    let since = Date.now();
    while (watching) {
      await new Promise((ok) => setTimeout(ok, 1_000));
      const t = await transferOf(b, name).catch(() => null);
      const mark = `${t?.status}:${t?.bytesDone}`;
      if (mark !== last) [last, since] = [mark, Date.now()];
      else if (watching && Date.now() - since >= STALL_MS) {
        const sender = await transferOf(a, name).catch((e) => String(e));
        throw new Error(`transfer ${name} stalled for ${STALL_MS / 1000} s: receiver ${JSON.stringify(t)}, sender ${JSON.stringify(sender)}`);
      }
    }
    return 0;
  })();
  try {
    return await Promise.race([waitStatus(b, name, statuses, timeout), watch]);
  } finally {
    watching = false;
  }
}

/** Offers a random file A → B, accepts it in B; resolves once B has clicked Accept (in-page time). */
export async function startTransfer(/** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {string} */ name, /** @type {number} */ megabytes, /** @type {((ms: number) => void) | null} */ onOffered = null) {
  await dropFile(a, name, megabytes);
  const droppedAt = await a.page.evaluate(() => performance.timeOrigin + performance.now());
  // A hashes the file first (manifest), then offers it.
  const offeredAt = await waitStatus(b, name, ['offered'], 120_000);
  onOffered?.(offeredAt - droppedAt);
  const accept = b.page.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Accept' });
  const acceptedAt = /** @type {number} */ (await b.page.evaluate(() => performance.timeOrigin + performance.now()));
  await accept.click();
  return acceptedAt;
}

/**
 * Cancels B's incoming transfer `name` as a user would (its Cancel button) and waits for both
 * sides to show it cancelled: P4 needs a transfer only while it measures, not the rest of it.
 */
export async function cancelTransfer(/** @type {Peer} */ a, /** @type {Peer} */ b, /** @type {string} */ name) {
  await b.page.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Cancel' }).click();
  await Promise.all([waitStatus(b, name, ['cancelled'], 30_000), waitStatus(a, name, ['cancelled'], 30_000)]);
}

/**
 * CPU profiles of both pages (BENCH_FILES_CPU_PROFILE_DIR=dir): P3 from the offer to "all
 * stored" (`<dir>/p3-<round>-sender.cpuprofile`, `p3-<round>-receiver`), P4 while typing
 * during the transfer (`p4-sender`, `p4-receiver`); open them in Chrome DevTools.
 */
export async function startCpuProfiles(/** @type {Record<string, Peer>} */ pages) {
  const sessions = await Promise.all(
    Object.entries(pages).map(async ([role, peer]) => {
      const session = await peer.context.newCDPSession(peer.page);
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 500 });
      await session.send('Profiler.start');
      return { role, session };
    }),
  );
  return {
    async stop(/** @type {string} */ dir, /** @type {string} */ figure) {
      mkdirSync(dir, { recursive: true });
      for (const { role, session } of sessions) {
        const { profile } = await session.send('Profiler.stop');
        writeFileSync(join(dir, `${figure}-${role}.cpuprofile`), JSON.stringify(profile));
        await session.detach();
      }
    },
  };
}
