import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeFilesNet } from '../test-support/fake-files-net.ts';
import { GatedBlocks } from '../test-support/gated-blocks.ts';
import { rawOfferAccepted } from '../test-support/raw-files-offer.ts';
import { CHUNK_BYTES, decodeFilesMessage, encodeAck, encodeChunk } from './file-messages.ts';
import { BULK_WINDOW_BYTES, INTERACTIVE_CHUNK_BYTES, INTERACTIVE_WINDOW_BYTES } from './file-sender.ts';
import { RECEIVE_WINDOW_BLOCKS } from './file-receiver.ts';
import { MemoryRecords, memorySource } from './file-storage.ts';
import { FilesRoom, type TransferView } from './files-room.ts';
import { BLOCK_BYTES } from './manifest.ts';

const W = RECEIVE_WINDOW_BLOCKS;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const view = (files: FilesRoom, direction: 'in' | 'out'): TransferView | undefined => files.list().find((v) => v.direction === direction && v.status !== 'preparing');

function gatedRoom(net: FakeFilesNet, id: string) {
  const storage = { records: new MemoryRecords(), blocks: new GatedBlocks() };
  const transport = net.node(id);
  const files = new FilesRoom(transport, storage, { selfName: () => id, peerName: (p) => p });
  return { transport, files, storage };
}


describe('files flow control (a disk slower than the link)', { timeout: 60_000 }, () => {
  it('the sender stops at the window while writes lag, and resumes one block per block stored', async () => {
    const net = new FakeFilesNet();
    let chunkBytes = 0;
    const a = gatedRoom(net, 'A');
    const b = gatedRoom(net, 'B');
    b.transport.on('message', ({ data }) => {
      const m = decodeFilesMessage(data);
      if (m?.kind === 'chunk') chunkBytes += m.data.length;
    });
    net.connect('A', 'B');
    const bytes = new Uint8Array(randomBytes(3 * W * BLOCK_BYTES + 12_345));
    await a.files.send([{ source: memorySource(bytes), name: 'slow.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    b.files.accept(view(b.files, 'in')!.key);

    // No write finishes: exactly one window of blocks arrives, and nothing more however long the link runs.
    await net.until(() => b.storage.blocks.waiting === W);
    await net.settle();
    expect(b.storage.blocks.waiting).toBe(W);
    expect(chunkBytes).toBe(W * BLOCK_BYTES);
    expect(view(a.files, 'out')!.sentBytes).toBe(W * BLOCK_BYTES);
    expect(view(a.files, 'out')!.status).toBe('sending');

    // Two blocks stored → exactly two more blocks come.
    b.storage.blocks.release(2);
    await net.until(() => chunkBytes === (W + 2) * BLOCK_BYTES && b.storage.blocks.waiting === W);
    await net.settle();
    expect(chunkBytes).toBe((W + 2) * BLOCK_BYTES);
    expect(b.storage.blocks.maxWaiting).toBe(W);

    // A fast disk again: the rest arrives, verified, and memory never held more than the window.
    b.storage.blocks.open();
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(view(b.files, 'in')?.status).toBe('verified');
    expect(chunkBytes).toBe(bytes.length);
    expect(b.storage.blocks.maxWaiting).toBe(W);
    const saved = await b.files.file(view(b.files, 'in')!.key);
    expect(sha(new Uint8Array(await saved!.blob.arrayBuffer()))).toBe(sha(bytes));
    expect(b.transport.dropped).toEqual([]);
  });

  it('after a link drop the new session grants only what is not still in memory', async () => {
    const net = new FakeFilesNet();
    const a = gatedRoom(net, 'A');
    const b = gatedRoom(net, 'B');
    const accepts: number[] = [];
    a.transport.on('message', ({ data }) => {
      const m = decodeFilesMessage(data);
      if (m?.kind === 'control' && m.message.t === 'accept') accepts.push(m.message.upTo);
    });
    net.connect('A', 'B');
    const bytes = new Uint8Array(randomBytes(2 * W * BLOCK_BYTES));
    await a.files.send([{ source: memorySource(bytes), name: 'drop.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => b.storage.blocks.waiting === W);
    net.cut('A', 'B');
    b.storage.blocks.release(3);
    await net.settle();
    net.connect('A', 'B');
    await net.settle();
    expect(accepts).toEqual([W, 3]);
    expect(b.storage.blocks.waiting).toBe(W);
    b.storage.blocks.open();
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(b.storage.blocks.maxWaiting).toBe(W);
    const saved = await b.files.file(view(b.files, 'in')!.key);
    expect(sha(new Uint8Array(await saved!.blob.arrayBuffer()))).toBe(sha(bytes));
  });

  it('drops a sender that starts a block beyond its window, and the transfer fails with the reason', async () => {
    const net = new FakeFilesNet();
    const evil = net.node('X');
    const b = gatedRoom(net, 'B');
    net.connect('X', 'B');
    const bytes = new Uint8Array(randomBytes((W + 2) * BLOCK_BYTES));
    const { accept } = await rawOfferAccepted(net, evil, { id: 'B', files: b.files }, { bytes, name: 'flood.bin', id: 'floodfloodflood1' });
    expect(accept.upTo).toBe(W);
    const session = accept.session;
    // Every block of the window, whole (the disk holds them all), then the first chunk of one more.
    for (let block = 0; block <= W; block++) {
      const end = block === W ? CHUNK_BYTES : BLOCK_BYTES;
      for (let offset = 0; offset < end; offset += CHUNK_BYTES) {
        const start = block * BLOCK_BYTES + offset;
        evil.send('B', 'files', encodeChunk({ session, block, offset, data: bytes.subarray(start, start + Math.min(CHUNK_BYTES, BLOCK_BYTES - offset)) }));
      }
      await net.settle(2);
    }
    await net.until(() => b.transport.dropped.length > 0);
    expect(b.transport.dropped[0]?.detail).toMatch(new RegExp(`block ${W} starts beyond the window of ${W} blocks`));
    expect(view(b.files, 'in')).toMatchObject({ status: 'failed', error: expect.stringMatching(/beyond the window/) });
    expect(b.storage.blocks.maxWaiting).toBeLessThanOrEqual(W);
  });
});

describe('the in-flight window (acks)', { timeout: 60_000 }, () => {
  /** A → B with B's acks held back: what A sends before it hears anything. */
  async function withoutAcks(typing: boolean) {
    const net = new FakeFilesNet();
    const a = gatedRoom(net, 'A');
    const b = gatedRoom(net, 'B');
    b.storage.blocks.open();
    a.transport.typing = typing;
    const held: Uint8Array[] = [];
    net.tamper = ({ from, data }) => {
      if (from === 'B' && decodeFilesMessage(data)?.kind === 'ack') {
        held.push(data);
        return null;
      }
      return data;
    };
    const chunks: number[] = [];
    b.transport.on('message', ({ data }) => {
      const m = decodeFilesMessage(data);
      if (m?.kind === 'chunk') chunks.push(m.data.length);
    });
    net.connect('A', 'B');
    const bytes = new Uint8Array(randomBytes(BULK_WINDOW_BYTES + 2 * BLOCK_BYTES));
    await a.files.send([{ source: memorySource(bytes), name: 'window.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => chunks.length > 0);
    await net.settle();
    return { net, a, b, held, chunks, bytes };
  }

  const total = (sizes: number[]) => sizes.reduce((x, y) => x + y, 0);

  it('sends one bulk window of whole-frame chunks, acked once per block, then waits; acks let the rest through', async () => {
    const { net, a, b, held, chunks, bytes } = await withoutAcks(false);
    expect(total(chunks)).toBeGreaterThanOrEqual(BULK_WINDOW_BYTES);
    expect(total(chunks)).toBeLessThan(BULK_WINDOW_BYTES + CHUNK_BYTES);
    expect(Math.max(...chunks)).toBe(CHUNK_BYTES);
    expect(held.length).toBe(Math.floor(total(chunks) / BLOCK_BYTES));
    // The last ack says it all (cumulative): the window reopens.
    net.tamper = null;
    a.transport.fire('message', { peer: 'B', label: 'files', data: held.at(-1)! });
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(total(chunks)).toBe(bytes.length);
    expect(b.transport.dropped).toEqual([]);
  });

  it('while the link is interactive: a small window of small chunks, each acked, so a burst fits the socket buffers', async () => {
    const { chunks, held } = await withoutAcks(true);
    expect(total(chunks)).toBeGreaterThanOrEqual(INTERACTIVE_WINDOW_BYTES);
    expect(total(chunks)).toBeLessThan(INTERACTIVE_WINDOW_BYTES + INTERACTIVE_CHUNK_BYTES);
    expect(Math.max(...chunks)).toBe(INTERACTIVE_CHUNK_BYTES);
    expect(held.length).toBe(chunks.length);
  });

  it('typing starting mid-block (window shrinks below what is in flight, unacked) does not stall the transfer', async () => {
    const net = new FakeFilesNet();
    const a = gatedRoom(net, 'A');
    const b = gatedRoom(net, 'B');
    b.storage.blocks.open();
    net.connect('A', 'B');
    const bytes = new Uint8Array(randomBytes(4 * BLOCK_BYTES));
    await a.files.send([{ source: memorySource(bytes), name: 'switch.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => (view(b.files, 'in')?.bytesDone ?? 0) > 1.3 * BLOCK_BYTES);
    a.transport.typing = true;
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    const saved = await b.files.file(view(b.files, 'in')!.key);
    expect(sha(new Uint8Array(await saved!.blob.arrayBuffer()))).toBe(sha(bytes));
  });

  it('drops a receiver that acks bytes never sent', async () => {
    const { a, held } = await withoutAcks(false);
    const last = decodeFilesMessage(held.at(-1)!);
    if (last?.kind !== 'ack') throw new Error('expected an ack');
    a.transport.fire('message', { peer: 'B', label: 'files', data: encodeAck({ session: last.session, bytes: last.bytes + 1 }) });
    expect(a.transport.dropped[0]?.detail).toMatch(/ack for bytes never sent/);
    expect(view(a.files, 'out')).toMatchObject({ status: 'failed', error: expect.stringMatching(/ack for bytes never sent/) });
  });
});

describe('download records under a slow IndexedDB', { timeout: 60_000 }, () => {
  it('record writes are coalesced (one under way at a time) and the last one has the final state', async () => {
    class SlowRecords extends MemoryRecords {
      active = 0;
      maxActive = 0;
      puts = 0;
      override async put(record: Parameters<MemoryRecords['put']>[0]) {
        this.active++;
        this.puts++;
        this.maxActive = Math.max(this.maxActive, this.active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await super.put(record);
        this.active--;
      }
    }
    const net = new FakeFilesNet();
    const a = gatedRoom(net, 'A');
    const records = new SlowRecords();
    const blocks = new GatedBlocks();
    blocks.open();
    const transport = net.node('B');
    const b = new FilesRoom(transport, { records, blocks }, { selfName: () => 'B', peerName: (p) => p });
    net.connect('A', 'B');
    const bytes = new Uint8Array(randomBytes(12 * BLOCK_BYTES));
    await a.files.send([{ source: memorySource(bytes), name: 'idb.bin', type: '' }], null);
    await net.until(() => view(b, 'in')?.status === 'offered');
    b.accept(view(b, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    await net.until(() => records.active === 0 && records.map.get(sha(bytes))?.status === 'verified');
    expect(records.maxActive).toBe(1);
    // At most: the offer, the accept, one per block, the verified state (fewer when writes overlap).
    expect(records.puts).toBeLessThanOrEqual(1 + 1 + 12 + 1);
    expect(records.map.get(sha(bytes))).toMatchObject({ status: 'verified', id: expect.any(String) });
  });
});
