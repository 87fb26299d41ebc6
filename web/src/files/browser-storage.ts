/**
 * Browser storage for received files: blocks in the Origin Private File System (one file per
 * block under meshpad-files/<sha256>/, so writing a block never rewrites the others and memory
 * stays flat; checked and written by the block worker), records (manifest + held-block map) in
 * IndexedDB (idb-records.ts). Save assembles a Blob from the block files, which the browser
 * streams from disk.
 */
import { digestBlocks, storeIfMatches, type BlockStore, type FileStorage, type StoredBlock } from './file-storage.ts';
import { IdbRecords } from './idb-records.ts';
import { OpfsDirs } from './opfs-dirs.ts';
import { WorkerBlocks } from './worker-blocks.ts';

/** Blocks written and hashed on the page's thread: where the block worker cannot run. */
class OpfsBlocks implements BlockStore {
  constructor(private readonly dirs: OpfsDirs) {}

  storeBlock(hash: string, index: number, bytes: Uint8Array, expected: string): Promise<StoredBlock> {
    return storeIfMatches(bytes, expected, () => this.dirs.inDir(hash, (dir) => this.writeIn(dir, index, bytes)));
  }

  digestFile(hash: string, blocks: number): Promise<string> {
    return digestBlocks(blocks, (index) => this.readBlock(hash, index));
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

  private async readBlock(hash: string, index: number): Promise<Uint8Array> {
    const dir = await this.dirs.dir(hash, false);
    const file = await (await dir.getFileHandle(String(index))).getFile();
    return new Uint8Array(await file.arrayBuffer());
  }

  async assemble(hash: string, blocks: number, type: string): Promise<Blob> {
    const dir = await this.dirs.dir(hash, false);
    const parts: File[] = [];
    for (let i = 0; i < blocks; i++) parts.push(await (await dir.getFileHandle(String(i))).getFile());
    return new Blob(parts, { type });
  }

  async delete(hash: string): Promise<void> {
    this.dirs.forget(hash);
    const root = await this.dirs.rootDir();
    await root.removeEntry(hash, { recursive: true }).catch((error: unknown) => {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    });
  }
}

export function browserFileStorage(): FileStorage {
  const onPage = new OpfsBlocks(new OpfsDirs());
  const blocks = new WorkerBlocks(() => new Worker(new URL('./block-worker.ts', import.meta.url), { type: 'module', name: 'meshpad-blocks' }), onPage);
  return { records: new IdbRecords(), blocks };
}
