/**
 * Where a receiver keeps files: blocks (OPFS in browsers) and, per file, a record of its
 * manifest and which blocks are held (IndexedDB), so a reload resumes instead of starting over.
 * Keyed by the file's SHA-256. In-memory twins for tests and the headless peer.
 */
import type { PeerId } from '../net/protocol.ts';
import type { Manifest } from './manifest.ts';

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

export interface BlockStore {
  writeBlock(hash: string, index: number, bytes: Uint8Array): Promise<void>;
  readBlock(hash: string, index: number): Promise<Uint8Array>;
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

export class MemoryBlocks implements BlockStore {
  readonly files = new Map<string, Map<number, Uint8Array>>();
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
