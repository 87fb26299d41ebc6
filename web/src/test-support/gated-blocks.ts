/**
 * A block store whose writes finish only when the test says so (a disk slower than the link):
 * `waiting` is how many writes are under way, `release(n)` lets the oldest n finish, `open()`
 * lets every write (now and later) finish at once.
 */
import { MemoryBlocks } from '../files/file-storage.ts';

export class GatedBlocks extends MemoryBlocks {
  private readonly held: Array<() => void> = [];
  private gateOpen = false;
  /** Largest number of writes under way at once. */
  maxWaiting = 0;

  get waiting(): number {
    return this.held.length;
  }

  override async writeBlock(hash: string, index: number, bytes: Uint8Array): Promise<void> {
    if (!this.gateOpen) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        this.maxWaiting = Math.max(this.maxWaiting, this.held.length);
      });
    }
    await super.writeBlock(hash, index, bytes);
  }

  release(n: number): void {
    for (const resolve of this.held.splice(0, n)) resolve();
  }

  open(): void {
    this.gateOpen = true;
    this.release(this.held.length);
  }
}
