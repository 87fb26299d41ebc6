/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): the n-th retry waits a uniformly random time in [0, min(cap, base · factor^(n-1))).
 * Full jitter spreads a room's peers apart after a shared outage instead of having them retry
 * in lockstep.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_FACTOR = 2;
export const BACKOFF_CAP_MS = 30_000;

/** `attempt` counts from 1; `random` is a draw from [0, 1). */
export function backoffCeiling(attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * BACKOFF_FACTOR ** exponent);
}

export function backoffDelay(attempt: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeiling(attempt));
}
