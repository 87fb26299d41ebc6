/**
 * How many bytes the low class (files) may keep buffered on a link: what the link drains in
 * FILES_BUDGET_TARGET_MS, so a keystroke queued behind a transfer waits at most that long.
 *
 * The drain rate is measured from the link itself (bytes the browser took off its send buffer
 * per millisecond). A sample only says something about the link's capacity while the buffer
 * stayed non-empty; when it ran dry the link could have taken more, so the estimate grows
 * instead (like TCP slow start), until the buffer no longer runs dry between refills.
 */
export const FILES_BUDGET_TARGET_MS = 5;
export const FILES_BUDGET_MIN_BYTES = 64 * 1024;
export const FILES_BUDGET_MAX_BYTES = 256 * 1024;
/** Start as if the link drained 16 MB/s (the loopback figure); corrected within milliseconds. */
export const INITIAL_DRAIN_BYTES_PER_MS = 16 * 1024;
/** Growth of the estimate each time the buffer ran dry. */
export const DRY_GROWTH = 1.25;
/** Weight of a new busy-link sample in the moving average. */
export const RATE_SMOOTHING = 0.25;
/** Samples closer together than this are too noisy to use. */
export const MIN_SAMPLE_MS = 2;

const MAX_RATE_BYTES_PER_MS = FILES_BUDGET_MAX_BYTES / FILES_BUDGET_TARGET_MS;
const MIN_RATE_BYTES_PER_MS = 1;

export class FilesBudget {
  private rate = INITIAL_DRAIN_BYTES_PER_MS;
  private lastAt: number | null = null;
  private lastDrained = 0;
  private lastBuffered = 0;

  /** Bytes per millisecond the link is believed to drain. */
  get drainRate(): number {
    return this.rate;
  }

  get bytes(): number {
    return Math.round(Math.min(FILES_BUDGET_MAX_BYTES, Math.max(FILES_BUDGET_MIN_BYTES, this.rate * FILES_BUDGET_TARGET_MS)));
  }

  /**
   * Before a round of sends. `drainedTotal`: bytes handed to the browser so far minus what it
   * still buffers; `buffered`: what it buffers now.
   */
  sample(now: number, drainedTotal: number, buffered: number): void {
    if (this.lastAt === null) {
      this.remember(now, drainedTotal, buffered);
      return;
    }
    const elapsed = now - this.lastAt;
    if (elapsed < MIN_SAMPLE_MS) return;
    const measured = (drainedTotal - this.lastDrained) / elapsed;
    if (this.lastBuffered > 0 && buffered > 0) {
      this.rate += RATE_SMOOTHING * (measured - this.rate);
    } else if (this.lastBuffered > 0 && buffered === 0) {
      this.rate = Math.max(this.rate, measured) * DRY_GROWTH;
    }
    this.rate = Math.min(MAX_RATE_BYTES_PER_MS, Math.max(MIN_RATE_BYTES_PER_MS, this.rate));
    this.remember(now, drainedTotal, buffered);
  }

  /** What the link buffers once a round of sends is done (the start of the next interval). */
  refilled(buffered: number): void {
    this.lastBuffered = buffered;
  }

  private remember(now: number, drainedTotal: number, buffered: number): void {
    this.lastAt = now;
    this.lastDrained = drainedTotal;
    this.lastBuffered = buffered;
  }
}
