/**
 * The invite mailbox's per-client-address limits (numbers in invite-limits.ts): token buckets in
 * memory, the claim buckets (guesses at codes) also in the object's storage. An object with
 * hibernatable sockets can be evicted after seconds without events; one that forgot its claim
 * buckets would let a client guess faster by pausing between claims. A stored bucket is kept
 * until it is full again (`prune`, from the object's alarm).
 */
import {
  ALLOCATE_BURST,
  ALLOCATE_REFILL_PER_SEC,
  CLAIM_BURST,
  CLAIM_REFILL_PER_SEC,
  CONNECT_BURST,
  CONNECT_REFILL_PER_SEC,
  MAX_TRACKED_CLIENTS,
} from './invite-limits.ts';
import { TokenBucket } from './limits.ts';

const CLAIMS_PREFIX = 'claims:';

interface ClientBuckets {
  readonly connect: TokenBucket;
  readonly allocate: TokenBucket;
  readonly claim: TokenBucket;
}

export class ClientLimits {
  private readonly clients = new Map<string, ClientBuckets>();

  constructor(private readonly kv: SyncKvStorage) {}

  connect(client: string, now: number): boolean {
    return this.bucketsFor(client, now).connect.take(now);
  }

  allocate(client: string, now: number): boolean {
    return this.bucketsFor(client, now).allocate.take(now);
  }

  /** Takes a claim, stored whether allowed or not; `fullAt`: when the stored bucket may go. */
  claim(client: string, now: number): { allowed: boolean; fullAt: number } {
    const bucket = this.bucketsFor(client, now).claim;
    const allowed = bucket.take(now);
    this.kv.put(CLAIMS_PREFIX + client, bucket.state);
    return { allowed, fullAt: bucket.fullAt };
  }

  /** When the first stored claim bucket is full again (Infinity: none stored). */
  earliestFull(now: number): number {
    let earliest = Infinity;
    for (const [, fullAt] of this.stored(now)) earliest = Math.min(earliest, fullAt);
    return earliest;
  }

  /** Removes the stored claim buckets that are full again. */
  prune(now: number): void {
    for (const [k, fullAt] of this.stored(now)) if (fullAt <= now) this.kv.delete(k);
  }

  private *stored(now: number): Generator<[string, number]> {
    for (const [k, state] of this.kv.list<unknown>({ prefix: CLAIMS_PREFIX })) {
      yield [k, TokenBucket.restore(CLAIM_BURST, CLAIM_REFILL_PER_SEC, state, now).fullAt];
    }
  }

  private bucketsFor(client: string, now: number): ClientBuckets {
    let buckets = this.clients.get(client);
    if (!buckets) {
      if (this.clients.size >= MAX_TRACKED_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      buckets = {
        connect: new TokenBucket(CONNECT_BURST, CONNECT_REFILL_PER_SEC, now),
        allocate: new TokenBucket(ALLOCATE_BURST, ALLOCATE_REFILL_PER_SEC, now),
        claim: TokenBucket.restore(CLAIM_BURST, CLAIM_REFILL_PER_SEC, this.kv.get(CLAIMS_PREFIX + client), now),
      };
      this.clients.set(client, buckets);
    }
    return buckets;
  }
}
