import { describe, expect, it } from 'vitest';
import { formatBytes, formatEta, formatRate } from './transfer-format.ts';

describe('transfer formatting', () => {
  it('formats sizes, rates and times left', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 KB');
    expect(formatBytes(256_000_000)).toBe('256 MB');
    expect(formatRate(null)).toBe('');
    expect(formatRate(17_400_000)).toBe('17 MB/s');
    expect(formatEta(null)).toBe('');
    expect(formatEta(Infinity)).toBe('');
    expect(formatEta(4.2)).toBe('5 s left');
    expect(formatEta(125)).toBe('2 min 5 s left');
    expect(formatEta(7_260)).toBe('2 h 1 min left');
  });
});
