import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/limits.ts';

describe('TokenBucket', () => {
  it('allows a full burst, then refuses', () => {
    const b = new TokenBucket(3, 1, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
  });

  it('refills at the given rate, capped at capacity', () => {
    const b = new TokenBucket(2, 10, 0);
    b.take(0);
    b.take(0);
    expect(b.take(50)).toBe(false); // 0.5 token
    expect(b.take(100)).toBe(true); // 1 token after 100 ms at 10/s
    expect(b.available(60_000)).toBe(2);
  });

  it('ignores a clock going backwards', () => {
    const b = new TokenBucket(1, 1, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(1500)).toBe(false);
    expect(b.take(2000)).toBe(true);
  });
});
