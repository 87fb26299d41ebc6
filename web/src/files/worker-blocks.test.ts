import { describe, expect, it } from 'vitest';
import type { BlockWorkerReply, BlockWorkerRequest } from './block-worker-messages.ts';
import { arrived } from './block-worker-messages.ts';
import { MemoryBlocks } from './file-storage.ts';
import { hashBlock } from './sha256.ts';
import { WorkerBlocks } from './worker-blocks.ts';

const HASH = 'a'.repeat(64);

/** Stands for the block worker: answers `ready` with `sync`, then each request as `answer` says. */
class FakeWorker {
  onmessage: ((event: MessageEvent<BlockWorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly requests: BlockWorkerRequest[] = [];
  terminated = false;

  constructor(
    sync: boolean,
    private readonly answer: (request: BlockWorkerRequest) => BlockWorkerReply | null,
  ) {
    queueMicrotask(() => this.reply({ t: 'ready', sync }));
  }
  postMessage(request: BlockWorkerRequest, transfer: Transferable[]): void {
    // Moved, as a real postMessage with a transfer list does: the page's array is now empty.
    const bytes = request.op === 'store' ? new Uint8Array(request.bytes.buffer).slice().buffer : null;
    for (const buffer of transfer) structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
    const received = request.op === 'store' ? { ...request, bytes: { ...request.bytes, buffer: bytes! } } : request;
    this.requests.push(received);
    const reply = this.answer(received);
    if (reply) queueMicrotask(() => this.reply(reply));
  }
  terminate(): void {
    this.terminated = true;
  }
  fail(message: string): void {
    this.onerror?.({ message, preventDefault() {} } as ErrorEvent);
  }
  private reply(data: BlockWorkerReply): void {
    this.onmessage?.({ data } as MessageEvent<BlockWorkerReply>);
  }
}

/** A WorkerBlocks whose worker (created on first use, as in the browser) is a FakeWorker. */
function withFakeWorker(sync: boolean, answer: (request: BlockWorkerRequest) => BlockWorkerReply | null) {
  const onPage = new MemoryBlocks();
  const made: FakeWorker[] = [];
  const blocks = new WorkerBlocks(() => {
    const worker = new FakeWorker(sync, answer);
    made.push(worker);
    return worker as unknown as Worker;
  }, onPage);
  return { blocks, onPage, worker: () => made[0]! };
}

const storedReply = (request: BlockWorkerRequest): BlockWorkerReply =>
  request.op === 'store' ? { t: 'stored', id: request.id, stored: true, bytes: request.bytes } : { t: 'digest', id: request.id, hash: 'f'.repeat(64) };

describe('WorkerBlocks', () => {
  it('hands a block to the worker (moved, not copied) and gives back the bytes it returns', async () => {
    const { blocks, onPage, worker: fake } = withFakeWorker(true, storedReply);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const expected = await hashBlock(bytes);
    const result = await blocks.storeBlock(HASH, 3, bytes, expected);
    expect(bytes.length).toBe(0); // transferred away
    expect(result).toEqual({ stored: true, bytes: new Uint8Array([1, 2, 3, 4]) });
    const worker = fake();
    expect(worker.requests).toMatchObject([{ op: 'store', hash: HASH, index: 3, expected }]);
    expect(arrived((worker.requests[0] as Extract<BlockWorkerRequest, { op: 'store' }>).bytes)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(await blocks.digestFile(HASH, 1)).toBe('f'.repeat(64));
    expect(onPage.files.size).toBe(0);
  });

  it('says when the worker found a block not matching its hash', async () => {
    const { blocks } = withFakeWorker(true, (r) => (r.op === 'store' ? { t: 'stored', id: r.id, stored: false, bytes: r.bytes } : null));
    expect(await blocks.storeBlock(HASH, 0, new Uint8Array([9]), 'b'.repeat(64))).toEqual({ stored: false, bytes: new Uint8Array([9]) });
  });

  it('turns a write error in the worker into a rejection with its message', async () => {
    const { blocks } = withFakeWorker(true, (r) => ({ t: 'error', id: r.id, message: 'QuotaExceededError: no room', bytes: null }));
    await expect(blocks.storeBlock(HASH, 0, new Uint8Array([9]), 'b'.repeat(64))).rejects.toThrow('no room');
  });

  it('writes on the page where workers get no sync access handles (and stops that worker)', async () => {
    const { blocks, onPage, worker } = withFakeWorker(false, storedReply);
    const bytes = new Uint8Array([5, 6]);
    expect((await blocks.storeBlock(HASH, 0, bytes, await hashBlock(bytes))).stored).toBe(true);
    expect(worker().terminated).toBe(true);
    expect(worker().requests).toEqual([]);
    expect(onPage.files.get(HASH)?.get(0)).toEqual(new Uint8Array([5, 6]));
  });

  it('writes on the page where no worker can start', async () => {
    const onPage = new MemoryBlocks();
    const blocks = new WorkerBlocks(() => {
      throw new Error('no workers here');
    }, onPage);
    const bytes = new Uint8Array([7]);
    expect((await blocks.storeBlock(HASH, 0, bytes, await hashBlock(bytes))).stored).toBe(true);
    expect(await blocks.digestFile(HASH, 1)).toBe(await hashBlock(bytes));
  });

  it('rejects what a failed worker had, then works on the page', async () => {
    const { blocks, onPage, worker } = withFakeWorker(true, () => null);
    const lost = blocks.storeBlock(HASH, 0, new Uint8Array([1]), 'b'.repeat(64));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(worker().requests).toHaveLength(1);
    worker().fail('out of memory');
    await expect(lost).rejects.toThrow('the block worker failed: out of memory');
    expect(worker().terminated).toBe(true);
    const bytes = new Uint8Array([2]);
    expect((await blocks.storeBlock(HASH, 1, bytes, await hashBlock(bytes))).stored).toBe(true);
    expect(onPage.files.get(HASH)?.get(1)).toEqual(new Uint8Array([2]));
  });
});
