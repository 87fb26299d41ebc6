/**
 * Typing comes first. While code-sync or cursor frames were sent in the last TYPING_HOLD_MS, file
 * frames are paced to TYPING_SHARE of the link's measured drain rate (a token bucket), so a
 * transfer does not keep both machines' CPUs and the link saturated between keystrokes. Outside
 * that window files run at full speed.
 */
export const TYPING_HOLD_MS = 300;
export const TYPING_SHARE = 0.2;

export class FilesPacer {
  private lastUrgentAt = Number.NEGATIVE_INFINITY;
  private tokens = 0;
  private refilledAt = 0;

  /** A frame of an urgent class (critical or high) was queued now. */
  urgent(now: number): void {
    if (!this.holding(now)) {
      this.tokens = 0;
      this.refilledAt = now;
    }
    this.lastUrgentAt = now;
  }

  holding(now: number): boolean {
    return now - this.lastUrgentAt < TYPING_HOLD_MS;
  }

  /** Milliseconds until a files frame of `bytes` may go (0: now). `ratePerMs`: measured drain rate. */
  wait(now: number, bytes: number, ratePerMs: number, capacity: number): number {
    if (!this.holding(now)) return 0;
    const rate = Math.max(1, ratePerMs * TYPING_SHARE);
    this.tokens = Math.min(Math.max(capacity, bytes), this.tokens + (now - this.refilledAt) * rate);
    this.refilledAt = now;
    if (this.tokens >= bytes) return 0;
    return Math.min(TYPING_HOLD_MS, Math.max(1, Math.ceil((bytes - this.tokens) / rate)));
  }

  spend(bytes: number): void {
    this.tokens -= bytes;
  }
}
