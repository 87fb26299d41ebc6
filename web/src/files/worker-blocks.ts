/**
 * A BlockStore that checks and writes blocks, and hashes finished files, in the block worker
 * (block-worker.ts), started on first use; reading, assembling and deleting stay on the page
 * (`onPage`). Where workers get no OPFS sync access handles, or the worker cannot start, every
 * call goes to `onPage`.
 */
import { arrived, moved, type BlockWorkerReply, type BlockWorkerRequest } from './block-worker-messages.ts';
import type { BlockStore, StoredBlock } from './file-storage.ts';

type Pending = { resolve(reply: BlockWorkerReply): void; reject(error: Error): void };
type Request = BlockWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerBlocks implements BlockStore {
  private worker: Worker | null = null;
  private started: Promise<boolean> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly createWorker: () => Worker,
    private readonly onPage: BlockStore,
  ) {}

  async storeBlock(hash: string, index: number, bytes: Uint8Array, expected: string): Promise<StoredBlock> {
    if (!(await this.start())) return this.onPage.storeBlock(hash, index, bytes, expected);
    const reply = await this.request({ op: 'store', hash, index, bytes: moved(bytes), expected }, [bytes.buffer as ArrayBuffer]);
    if (reply.t !== 'stored') throw new Error('the block worker answered out of turn');
    return { stored: reply.stored, bytes: arrived(reply.bytes) };
  }

  async digestFile(hash: string, blocks: number): Promise<string> {
    if (!(await this.start())) return this.onPage.digestFile(hash, blocks);
    const reply = await this.request({ op: 'digest', hash, blocks }, []);
    if (reply.t !== 'digest') throw new Error('the block worker answered out of turn');
    return reply.hash;
  }

  assemble(hash: string, blocks: number, type: string): Promise<Blob> {
    return this.onPage.assemble(hash, blocks, type);
  }

  delete(hash: string): Promise<void> {
    return this.onPage.delete(hash);
  }

  /** Resolves true once the worker runs and can write, false if the page must do it. */
  private start(): Promise<boolean> {
    this.started ??= new Promise<boolean>((resolve) => {
      let worker: Worker;
      try {
        worker = this.createWorker();
      } catch {
        return resolve(false);
      }
      worker.onmessage = ({ data }: MessageEvent<BlockWorkerReply>) => {
        if (data.t === 'ready') {
          if (data.sync) this.worker = worker;
          else worker.terminate();
          return resolve(data.sync);
        }
        this.settle(data);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.stop(new Error(`the block worker failed: ${event.message || 'could not start'}`));
        resolve(false);
      };
    });
    return this.started;
  }

  private request(request: Request, transfer: Transferable[]): Promise<BlockWorkerReply> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the block worker stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(reply: Exclude<BlockWorkerReply, { t: 'ready' }>): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.t === 'error') waiting.reject(new Error(reply.message));
    else waiting.resolve(reply);
  }

  /** The worker failed: what it had is lost; later calls run on the page. */
  private stop(error: Error): void {
    this.worker?.terminate();
    this.worker = null;
    this.started = Promise.resolve(false);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
