// Memory of one peer's browser processes, sampled from Node while a figure runs (files bench:
// the receiving page must stay flat, issue 8). The peer has its own browser (a persistent
// context): CDP SystemInfo.getProcessInfo lists that browser's processes with their OS pids,
// and /proc/<pid>/status gives each one's resident set (VmRSS). Renderers are the pages (the
// receiving page's, plus idle spare/blank ones that do not grow); the whole tree adds the
// browser, GPU, network and storage processes.
import { readFileSync } from 'node:fs';

/** @param {string} pid */
function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // the process has gone
  }
}

/**
 * Starts sampling every `everyMs`; `stop()` resolves with the baselines and peak growth (bytes).
 * @param {import('playwright-core').BrowserContext} context a persistent context (its own browser)
 * @param {number} everyMs
 */
export async function sampleProcessMemory(context, everyMs = 200) {
  const browser = context.browser();
  if (!browser) throw new Error('no browser for this context');
  const cdp = await browser.newBrowserCDPSession();
  /** @returns {Promise<Array<{ type: string, id: number }>>} */
  const processes = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo;
  let list = await processes();
  const measure = () => {
    let renderers = 0;
    let all = 0;
    for (const p of list) {
      const rss = rssBytes(String(p.id));
      all += rss;
      if (p.type === 'renderer') renderers += rss;
    }
    return { renderers, all };
  };
  const base = measure();
  const peak = { ...base };
  let samples = 0;
  let refreshing = false;
  const timer = setInterval(() => {
    samples++;
    // A renderer may come or go (spare renderers): refresh the list now and then.
    if (samples % 10 === 0 && !refreshing) {
      refreshing = true;
      processes()
        .then((l) => (list = l))
        .catch(() => undefined)
        .finally(() => (refreshing = false));
    }
    const now = measure();
    peak.renderers = Math.max(peak.renderers, now.renderers);
    peak.all = Math.max(peak.all, now.all);
  }, everyMs);
  return {
    /** The renderers' VmRSS now, minus at the start (e.g. after a forced GC at the end). */
    rendererGrowthNow() {
      return measure().renderers - base.renderers;
    },
    async stop() {
      clearInterval(timer);
      await cdp.detach().catch(() => undefined);
      return {
        samples,
        renderersBase: base.renderers,
        renderersPeakGrowth: peak.renderers - base.renderers,
        browserTreeBase: base.all,
        browserTreePeakGrowth: peak.all - base.all,
      };
    },
  };
}
