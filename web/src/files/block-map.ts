/**
 * Resume bookkeeping: which blocks of a file are held (verified and stored). A bitset, sent in
 * `accept` messages and kept in IndexedDB as base64url.
 */
import { fromBase64Url, toBase64Url } from '../net/base64url.ts';

export class BlockMap {
  private readonly bits: Uint8Array;
  private held = 0;

  constructor(readonly blocks: number, bits?: Uint8Array) {
    this.bits = new Uint8Array(Math.ceil(blocks / 8));
    if (bits) {
      if (bits.length !== this.bits.length) throw new RangeError('block map of the wrong length');
      this.bits.set(bits);
      const spare = blocks % 8;
      if (spare !== 0 && (this.bits[this.bits.length - 1]! >> spare) !== 0) throw new RangeError('block map marks blocks past the end');
      for (let i = 0; i < blocks; i++) if (this.has(i)) this.held++;
    }
  }

  static decode(blocks: number, encoded: string): BlockMap {
    return new BlockMap(blocks, fromBase64Url(encoded));
  }

  encode(): string {
    return toBase64Url(this.bits);
  }

  has(index: number): boolean {
    this.check(index);
    return ((this.bits[index >> 3]! >> (index & 7)) & 1) === 1;
  }

  set(index: number): void {
    if (this.has(index)) return;
    this.bits[index >> 3]! |= 1 << (index & 7);
    this.held++;
  }

  get count(): number {
    return this.held;
  }

  get complete(): boolean {
    return this.held === this.blocks;
  }

  /** Indices not held, in order. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.blocks; i++) if (!this.has(i)) out.push(i);
    return out;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.blocks) throw new RangeError(`block ${index} out of range 0..${this.blocks - 1}`);
  }
}
