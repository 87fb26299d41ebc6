/**
 * The receiver's block worker: checks each received block's SHA-256 and writes it to OPFS with a
 * sync access handle, and hashes a finished file read back from OPFS — off the page's main
 * thread, which then only copies chunks into blocks (typing stays responsive), and without
 * createWritable's swap file and per-write copy to the browser process. Blocks arrive and go
 * back as transferred buffers, so the page reuses them. Not flushed (fsync) per block: like
 * IndexedDB's default durability, a crash of the browser loses nothing, one of the OS may.
 */
import { arrived, type BlockWorkerReply, type BlockWorkerRequest, type MovedBytes } from './block-worker-messages.ts';
import { OpfsDirs } from './opfs-dirs.ts';
import { digestBlocks, storeIfMatches } from './file-storage.ts';

/** The parts of the worker-only OPFS API used here (not in the DOM type library). */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  close(): void;
}
type SyncCapableFileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> };

interface WorkerScope {
  onmessage: ((event: MessageEvent<BlockWorkerRequest>) => void) | null;
  postMessage(message: BlockWorkerReply, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const dirs = new OpfsDirs();

function reply(message: BlockWorkerReply, bytes: MovedBytes | null = null): void {
  scope.postMessage(message, bytes ? [bytes.buffer] : []);
}

async function withAccess<T>(dir: FileSystemDirectoryHandle, index: number, create: boolean, use: (access: SyncAccessHandle) => T): Promise<T> {
  const handle = (await dir.getFileHandle(String(index), { create })) as SyncCapableFileHandle;
  const access = await handle.createSyncAccessHandle();
  try {
    return use(access);
  } finally {
    access.close();
  }
}

function writeAll(access: SyncAccessHandle, bytes: Uint8Array): void {
  access.truncate(bytes.length);
  for (let at = 0; at < bytes.length; ) {
    const written = access.write(bytes.subarray(at), { at });
    if (written <= 0) throw new Error(`short write at ${at} of ${bytes.length} bytes`);
    at += written;
  }
}

async function store(request: Extract<BlockWorkerRequest, { op: 'store' }>): Promise<void> {
  const bytes = arrived(request.bytes);
  const { stored } = await storeIfMatches(bytes, request.expected, () =>
    dirs.inDir(request.hash, (dir) => withAccess(dir, request.index, true, (access) => writeAll(access, bytes))),
  );
  reply({ t: 'stored', id: request.id, stored, bytes: request.bytes }, request.bytes);
}

async function digest(request: Extract<BlockWorkerRequest, { op: 'digest' }>): Promise<void> {
  const dir = await dirs.dir(request.hash, false);
  // One buffer for every block: digestBlocks hashes each before it reads the next.
  let buffer = new Uint8Array(0);
  const hash = await digestBlocks(request.blocks, (index) =>
    withAccess(dir, index, false, (access) => {
      const size = access.getSize();
      if (buffer.length < size) buffer = new Uint8Array(size);
      const view = buffer.subarray(0, size);
      if (access.read(view, { at: 0 }) !== size) throw new Error(`short read of block ${index}`);
      return view;
    }),
  );
  reply({ t: 'digest', id: request.id, hash });
}

scope.onmessage = ({ data: request }) => {
  const run = request.op === 'store' ? store(request) : digest(request);
  run.catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const bytes = request.op === 'store' && request.bytes.buffer.byteLength > 0 ? request.bytes : null;
    reply({ t: 'error', id: request.id, message, bytes }, bytes);
  });
};

const handleProto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
reply({ t: 'ready', sync: !!handleProto && 'createSyncAccessHandle' in handleProto && typeof navigator.storage?.getDirectory === 'function' });
