/**
 * Browser storage for received files: blocks in the Origin Private File System (one file per
 * block under meshpad-files/<sha256>/, so writing a block never rewrites the others and memory
 * stays flat), records (manifest + held-block map) in IndexedDB. Save assembles a Blob from the
 * block files, which the browser streams from disk.
 */
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { BlockStore, DownloadRecord, DownloadRecords, FileStorage } from './file-storage.ts';
import type { BlockSource } from './manifest.ts';

const ROOT_DIR = 'meshpad-files';

class IdbRecords implements DownloadRecords {
  private readonly store: UseStore = createStore('meshpad-files', 'downloads');
  get(hash: string) {
    return get<DownloadRecord>(hash, this.store);
  }
  put(record: DownloadRecord) {
    return set(record.hash, record, this.store);
  }
  delete(hash: string) {
    return del(hash, this.store);
  }
  list() {
    return values<DownloadRecord>(this.store);
  }
}

class OpfsBlocks implements BlockStore {
  private root: Promise<FileSystemDirectoryHandle> | null = null;
  /** Directory handles by file hash: looking one up for every block cost ~2 ms of main thread each (profiled). */
  private readonly dirs = new Map<string, Promise<FileSystemDirectoryHandle>>();

  async writeBlock(hash: string, index: number, bytes: Uint8Array): Promise<void> {
    try {
      await this.writeIn(await this.dir(hash, true), index, bytes);
    } catch (error) {
      // The directory was removed under our cached handle (Remove in another tab): again, in a new one.
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
      this.dirs.delete(hash);
      await this.writeIn(await this.dir(hash, true), index, bytes);
    }
  }

  private async writeIn(dir: FileSystemDirectoryHandle, index: number, bytes: Uint8Array): Promise<void> {
    const handle = await dir.getFileHandle(String(index), { create: true });
    const writable = await handle.createWritable();
    try {
      await writable.write(bytes as Uint8Array<ArrayBuffer>);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => undefined);
      throw error;
    }
  }

  async readBlock(hash: string, index: number): Promise<Uint8Array> {
    const dir = await this.dir(hash, false);
    const file = await (await dir.getFileHandle(String(index))).getFile();
    return new Uint8Array(await file.arrayBuffer());
  }

  async assemble(hash: string, blocks: number, type: string): Promise<Blob> {
    const dir = await this.dir(hash, false);
    const parts: File[] = [];
    for (let i = 0; i < blocks; i++) parts.push(await (await dir.getFileHandle(String(i))).getFile());
    return new Blob(parts, { type });
  }

  async delete(hash: string): Promise<void> {
    this.dirs.delete(hash);
    const root = await this.rootDir();
    await root.removeEntry(hash, { recursive: true }).catch((error: unknown) => {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    });
  }

  private rootDir(): Promise<FileSystemDirectoryHandle> {
    this.root ??= navigator.storage.getDirectory().then((opfs) => opfs.getDirectoryHandle(ROOT_DIR, { create: true }));
    return this.root;
  }

  private dir(hash: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return Promise.reject(new TypeError('not a SHA-256'));
    const cached = this.dirs.get(hash);
    if (cached) return cached;
    const lookup = this.rootDir().then((root) => root.getDirectoryHandle(hash, { create }));
    this.dirs.set(hash, lookup);
    // A failed lookup (not there yet) is not remembered.
    lookup.catch(() => {
      if (this.dirs.get(hash) === lookup) this.dirs.delete(hash);
    });
    return lookup;
  }
}

export function browserFileStorage(): FileStorage {
  return { records: new IdbRecords(), blocks: new OpfsBlocks() };
}

/** Reads a picked or dropped File lazily, one slice at a time. */
export function fileSource(file: Blob): BlockSource {
  return {
    size: file.size,
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
  };
}
