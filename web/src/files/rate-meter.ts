/** Transfer rate over the last RATE_WINDOW_MS, for progress displays (rate and ETA). */
export const RATE_WINDOW_MS = 2_000;

export class RateMeter {
  private readonly samples: Array<{ at: number; total: number }> = [];

  add(at: number, total: number): void {
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - RATE_WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second, or null before two samples some time apart. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 100) return null;
    return ((last.total - first.total) * 1000) / (last.at - first.at);
  }
}
