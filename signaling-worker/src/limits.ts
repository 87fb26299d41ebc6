/**
 * Abuse limits of the signaling worker and a small, pure token bucket.
 *
 * Signaling is a handful of frames per connection (hello, a few offers/answers/candidates),
 * so these limits are far above honest traffic and only stop floods.
 */

/** Frames a socket may send back to back before being throttled. */
export const RATE_BURST = 60;
/** Sustained frames per second a socket may send. */
export const RATE_REFILL_PER_SEC = 30;
/**
 * Frames a socket may send while throttled before it is closed with 4002. Refills slowly
 * (OVERAGE_REFILL_PER_SEC) so a client that bursts once in a while is forgiven.
 */
export const OVERAGE_BURST = 3 * RATE_BURST;
export const OVERAGE_REFILL_PER_SEC = 1;
/** Protocol errors (malformed frames, wrong order…) tolerated per socket before close 4003. */
export const MAX_PROTOCOL_ERRORS = 10;
/** Open sockets (joined or not) one room accepts; further upgrades get HTTP 429. */
export const MAX_SOCKETS_PER_ROOM = 64;

/** What a TokenBucket needs to be rebuilt elsewhere (e.g. from a Durable Object's storage). */
export interface BucketState {
  readonly tokens: number;
  readonly last: number;
}

/** A classic token bucket; `now` is passed in (milliseconds) so it is deterministic to test. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSec: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** A bucket in `state` (validated: anything else starts full). */
  static restore(capacity: number, refillPerSec: number, state: unknown, now: number): TokenBucket {
    const bucket = new TokenBucket(capacity, refillPerSec, now);
    const s = state as Partial<BucketState> | null | undefined;
    if (s && Number.isFinite(s.tokens) && Number.isFinite(s.last)) {
      bucket.tokens = Math.min(capacity, Math.max(0, s.tokens!));
      bucket.last = Math.min(now, s.last!);
    }
    return bucket;
  }

  get state(): BucketState {
    return { tokens: this.tokens, last: this.last };
  }

  /** When (milliseconds) the bucket is full again if nothing is taken. */
  get fullAt(): number {
    return this.last + ((this.capacity - this.tokens) * 1000) / this.refillPerSec;
  }

  /** Refills for the time elapsed since the last call, then takes `cost` tokens if available. */
  take(now: number, cost = 1): boolean {
    this.refill(now);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Tokens available at `now` (after refill). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    // A clock that goes backwards never removes tokens.
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.refillPerSec) / 1000);
  }
}
