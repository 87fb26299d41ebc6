/**
 * Where a receiver keeps files: blocks (OPFS in browsers) and, per file, a record of its
 * manifest and which blocks are held (IndexedDB), so a reload resumes instead of starting over.
 * Keyed by the file's SHA-256. In-memory twins for tests and the headless peer.
 */
import type { PeerId } from '../net/protocol.ts';
import type { Manifest } from './manifest.ts';
import { createFileHasher, hashBlock } from './sha256.ts';

export interface DownloadRecord {
  readonly hash: string;
  /** The transfer (offer) it came from, and from whom: used to resume after a reload. */
  readonly id: string;
  readonly from: PeerId;
  readonly fromName: string;
  readonly manifest: Manifest;
  /** BlockMap, encoded. */
  readonly have: string;
  /** offered: an offer not answered yet (kept so it survives a reload). */
  readonly status: 'offered' | 'receiving' | 'verified';
  /** When the offer arrived (ms since the epoch); records from before it was kept have none. */
  readonly offeredAt?: number;
}

export interface DownloadRecords {
  get(hash: string): Promise<DownloadRecord | undefined>;
  put(record: DownloadRecord): Promise<void>;
  delete(hash: string): Promise<void>;
  list(): Promise<DownloadRecord[]>;
}

export interface StoredBlock {
  /** False: the bytes did not match the expected SHA-256 and nothing was written. */
  readonly stored: boolean;
  /** The block's bytes, for reuse: the store may have moved the array passed in to another thread. */
  readonly bytes: Uint8Array;
}

export interface BlockStore {
  /**
   * Writes block `index` of the file `hash` if its SHA-256 is `expected`. Use the returned
   * `bytes` afterwards, not the array passed in (a worker-backed store transfers it away and back).
   */
  storeBlock(hash: string, index: number, bytes: Uint8Array, expected: string): Promise<StoredBlock>;
  /** The SHA-256 (hex) of the whole stored file, read back block by block. */
  digestFile(hash: string, blocks: number): Promise<string>;
  /** The whole file, for Save (in browsers backed by disk, not memory). */
  assemble(hash: string, blocks: number, type: string): Promise<Blob>;
  delete(hash: string): Promise<void>;
}

export interface FileStorage {
  readonly records: DownloadRecords;
  readonly blocks: BlockStore;
}

export class MemoryRecords implements DownloadRecords {
  readonly map = new Map<string, DownloadRecord>();
  async get(hash: string) {
    return this.map.get(hash);
  }
  async put(record: DownloadRecord) {
    this.map.set(record.hash, structuredClone(record));
  }
  async delete(hash: string) {
    this.map.delete(hash);
  }
  async list() {
    return [...this.map.values()];
  }
}

/** storeBlock for a store that hashes on the calling thread and then writes with `write`. */
export async function storeIfMatches(bytes: Uint8Array, expected: string, write: () => Promise<void>): Promise<StoredBlock> {
  if ((await hashBlock(bytes)) !== expected) return { stored: false, bytes };
  await write();
  return { stored: true, bytes };
}

/** digestFile for a store that reads blocks back on the calling thread. */
export async function digestBlocks(blocks: number, read: (index: number) => Promise<Uint8Array>): Promise<string> {
  const hasher = await createFileHasher();
  for (let i = 0; i < blocks; i++) hasher.update(await read(i));
  return hasher.digest();
}

export class MemoryBlocks implements BlockStore {
  readonly files = new Map<string, Map<number, Uint8Array>>();
  storeBlock(hash: string, index: number, bytes: Uint8Array, expected: string): Promise<StoredBlock> {
    return storeIfMatches(bytes, expected, () => this.writeBlock(hash, index, bytes));
  }
  digestFile(hash: string, blocks: number): Promise<string> {
    return digestBlocks(blocks, (i) => this.readBlock(hash, i));
  }
  async writeBlock(hash: string, index: number, bytes: Uint8Array) {
    let file = this.files.get(hash);
    if (!file) this.files.set(hash, (file = new Map()));
    file.set(index, bytes.slice());
  }
  async readBlock(hash: string, index: number) {
    const block = this.files.get(hash)?.get(index);
    if (!block) throw new Error(`block ${index} of ${hash.slice(0, 12)} is not stored`);
    return block;
  }
  async assemble(hash: string, blocks: number, type: string) {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < blocks; i++) parts.push((await this.readBlock(hash, i)) as Uint8Array<ArrayBuffer>);
    return new Blob(parts, { type });
  }
  async delete(hash: string) {
    this.files.delete(hash);
  }
}

export function memoryStorage(): FileStorage & { records: MemoryRecords; blocks: MemoryBlocks } {
  return { records: new MemoryRecords(), blocks: new MemoryBlocks() };
}

/** A BlockSource over bytes in memory (tests, the headless peer). */
export function memorySource(bytes: Uint8Array) {
  return { size: bytes.length, read: async (offset: number, length: number) => bytes.subarray(offset, offset + length) };
}
