// Waits, bounded, until the whole machine is quiet (all CPUs, from /proc/stat): a figure that
// times a start (P1's join, P2's first keystrokes) then begins from the same state for both
// stacks, not while the previous step's work (a first peer's page still starting up, a closing
// browser context, the other pages drawing a newly focused caret) still runs on the 2 cores.
import { readFileSync } from 'node:fs';
import { TICKS_PER_SECOND } from './process-cpu.mjs';

const TICK_MS = 1000 / TICKS_PER_SECOND;

/** Busy and total CPU time of the machine so far (all CPUs), in ms. */
function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

/**
 * Resolves once the machine's busy share over the last `windowMs` is below `threshold` (0–1 of
 * all CPUs), or after `maxMs`. Returns how long it waited and whether it got there.
 */
export async function waitForQuietMachine({ threshold = 0.1, windowMs = 200, maxMs = 5_000 } = {}) {
  const started = Date.now();
  let last = cpuTimes();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuTimes();
    const elapsed = now.total - last.total;
    // /proc/stat counts every CPU's time: elapsed ≈ windowMs × CPUs.
    const share = elapsed > 0 ? (now.busy - last.busy) / elapsed : 0;
    last = now;
    const waitedMs = Date.now() - started;
    if (share < threshold) return { waitedMs, quiet: true, busyShare: Number(share.toFixed(3)) };
    if (waitedMs >= maxMs) return { waitedMs, quiet: false, busyShare: Number(share.toFixed(3)) };
  }
}

/** waitForQuietMachine, logging (`log`) when the machine did not get quiet before `what` starts anyway. */
export async function startWhenQuiet(/** @type {(line: string) => void} */ log, /** @type {string} */ what) {
  const quiet = await waitForQuietMachine();
  if (!quiet.quiet) log(`${what}: the machine was still busy (${Math.round(quiet.busyShare * 100)} %) after ${quiet.waitedMs} ms; starting anyway`);
}
