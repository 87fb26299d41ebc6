/**
 * Reusable block buffers for the receiver: blocks whose store finished are handed back and
 * filled again, so a transfer under way allocates none once the pool is warm (less garbage at
 * link speed). Only whole blocks are pooled; the pool is emptied when nothing is received.
 */
import { BLOCK_BYTES } from './manifest.ts';

export class BlockBuffers {
  private readonly spare: Uint8Array[] = [];

  constructor(private readonly max: number) {}

  take(length: number): Uint8Array {
    return length === BLOCK_BYTES ? (this.spare.pop() ?? new Uint8Array(BLOCK_BYTES)) : new Uint8Array(length);
  }

  give(buffer: Uint8Array): void {
    if (buffer.length === BLOCK_BYTES && this.spare.length < this.max) this.spare.push(buffer);
  }

  clear(): void {
    this.spare.length = 0;
  }
}
