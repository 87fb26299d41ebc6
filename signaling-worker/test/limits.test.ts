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

  it('is rebuilt from its state where it left off, and says when it is full again', () => {
    const b = new TokenBucket(10, 0.05, 0);
    for (let i = 0; i < 10; i++) b.take(0);
    expect(b.fullAt).toBe(200_000); // 10 tokens at one per 20 s
    const again = TokenBucket.restore(10, 0.05, JSON.parse(JSON.stringify(b.state)), 5_000);
    expect(again.take(5_000)).toBe(false);
    expect(again.take(20_000)).toBe(true);
    expect(again.fullAt).toBe(220_000);
  });

  it('starts full from a state it cannot use, and never from one in the future or beyond capacity', () => {
    for (const junk of [null, undefined, 'x', {}, { tokens: 'a', last: 0 }, { tokens: NaN, last: 0 }]) {
      expect(TokenBucket.restore(3, 1, junk, 0).available(0)).toBe(3);
    }
    expect(TokenBucket.restore(3, 1, { tokens: 99, last: 0 }, 0).available(0)).toBe(3);
    const future = TokenBucket.restore(3, 1, { tokens: 0, last: 10_000 }, 1_000);
    expect(future.available(1_000)).toBe(0);
    expect(future.available(2_000)).toBe(1);
  });
});
