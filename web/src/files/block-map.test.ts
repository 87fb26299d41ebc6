import { describe, expect, it } from 'vitest';
import { BlockMap } from './block-map.ts';

describe('BlockMap (resume bookkeeping)', () => {
  it('tracks held blocks and lists the missing ones in order', () => {
    const map = new BlockMap(11);
    expect(map.missing()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const i of [0, 3, 8, 10, 3]) map.set(i);
    expect(map.count).toBe(4);
    expect(map.has(3)).toBe(true);
    expect(map.has(4)).toBe(false);
    expect(map.missing()).toEqual([1, 2, 4, 5, 6, 7, 9]);
    expect(map.complete).toBe(false);
  });

  it('survives encoding (as kept in IndexedDB and sent in accept)', () => {
    const map = new BlockMap(20);
    for (const i of [1, 7, 8, 19]) map.set(i);
    const copy = BlockMap.decode(20, map.encode());
    expect(copy.missing()).toEqual(map.missing());
    expect(copy.count).toBe(4);
    for (let i = 0; i < 20; i++) copy.set(i);
    expect(copy.complete).toBe(true);
    expect(new BlockMap(0).complete).toBe(true);
  });

  it('rejects indices out of range and maps that do not fit the file', () => {
    const map = new BlockMap(9);
    expect(() => map.set(9)).toThrow(RangeError);
    expect(() => map.has(-1)).toThrow(RangeError);
    expect(() => map.has(1.5)).toThrow(RangeError);
    expect(() => BlockMap.decode(9, new BlockMap(17).encode())).toThrow(RangeError);
    expect(() => BlockMap.decode(9, 'AAI')).toThrow(RangeError); // bit 9 set: past the end
    expect(() => BlockMap.decode(9, '***')).toThrow(TypeError);
  });
});
