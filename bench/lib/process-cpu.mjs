// CPU time of every Chromium process on the machine, by browser and process type, from
// /proc/<pid>/stat (utime + stime): a snapshot before and after a figure says where its CPU went
// (files bench: which process pays per byte). Processes that exit in between are not counted.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's CPU times on Linux. */
export const TICKS_PER_SECOND = 100;

/** @param {string} pid */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); // Chromium rewrites its argv into one string
    return { ppid: fields[1] ?? '', ticks: Number(fields[11]) + Number(fields[12]), cmdline };
  } catch {
    return null;
  }
}

function kindOf(/** @type {string[]} */ cmdline) {
  const type = cmdline.find((a) => a.startsWith('--type='))?.slice(7);
  if (!type) return 'browser';
  if (type === 'utility') return cmdline.find((a) => a.startsWith('--utility-sub-type='))?.split('.').pop() ?? 'utility';
  return type;
}

/** CPU ticks of each thread of `pid`, by thread name (Chromium names its threads: CrRendererMain, …). */
function threadTicks(/** @type {string} */ pid) {
  /** @type {Map<string, number>} */
  const byName = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d:]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended
    }
  }
  return byName;
}

/** @returns {Map<string, { ticks: number, kind: string, root: string, threads: Map<string, number> }>} */
export function cpuSnapshot() {
  /** @type {Map<string, NonNullable<ReturnType<typeof readStat>>>} */
  const all = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = readStat(pid);
    if (s && /chrom/.test(s.cmdline[0] ?? '')) all.set(pid, s);
  }
  const snapshot = new Map();
  for (const [pid, s] of all) {
    let root = pid;
    while (all.get(root)?.cmdline.some((a) => a.startsWith('--type=')) && all.has(all.get(root)?.ppid ?? '')) root = all.get(root)?.ppid ?? root;
    snapshot.set(pid, { ticks: s.ticks, kind: kindOf(s.cmdline), root, threads: threadTicks(pid) });
  }
  return snapshot;
}

/** CPU seconds spent between two snapshots, per "browser#n kind" (browsers numbered by first pid). */
export function cpuSpent(/** @type {ReturnType<typeof cpuSnapshot>} */ before, /** @type {ReturnType<typeof cpuSnapshot>} */ after) {
  const roots = [...new Set([...after.values()].map((p) => p.root))].sort((a, b) => Number(a) - Number(b));
  /** @type {Record<string, number>} */
  const spent = {};
  for (const [pid, p] of after) {
    const delta = (p.ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
    if (delta <= 0) continue;
    const key = `browser${roots.indexOf(p.root) + 1} ${p.kind}`;
    spent[key] = Number(((spent[key] ?? 0) + delta).toFixed(2));
  }
  return spent;
}

/** All processes' CPU seconds together (a `cpuSpent` result). */
export function cpuSeconds(/** @type {Record<string, number>} */ spent) {
  return Object.values(spent).reduce((sum, s) => sum + s, 0);
}

/** All processes' CPU time per MB moved, in ms (a `cpuSpent` result over `bytes` transferred). */
export function cpuPerMB(/** @type {Record<string, number>} */ spent, /** @type {number} */ bytes) {
  return Math.round((cpuSeconds(spent) * 1000) / (bytes / 1e6));
}

/**
 * The same by thread: "browser#n kind thread-name" → seconds, the busiest first, for threads
 * that spent at least `minSeconds`. Threads that ended in between are not counted.
 */
export function cpuSpentByThread(/** @type {ReturnType<typeof cpuSnapshot>} */ before, /** @type {ReturnType<typeof cpuSnapshot>} */ after, minSeconds = 0.1) {
  const roots = [...new Set([...after.values()].map((p) => p.root))].sort((a, b) => Number(a) - Number(b));
  /** @type {Map<string, number>} */
  const spent = new Map();
  for (const [pid, p] of after) {
    const was = before.get(pid)?.threads;
    for (const [name, ticks] of p.threads) {
      const delta = (ticks - (was?.get(name) ?? 0)) / TICKS_PER_SECOND;
      const key = `browser${roots.indexOf(p.root) + 1} ${p.kind} ${name}`;
      if (delta > 0) spent.set(key, (spent.get(key) ?? 0) + delta);
    }
  }
  return Object.fromEntries([...spent].filter(([, s]) => s >= minSeconds).sort((a, b) => b[1] - a[1]).map(([k, s]) => [k, Number(s.toFixed(2))]));
}
