import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeFilesNet } from '../test-support/fake-files-net.ts';
import type { OutgoingMessage } from '../net/frame-codec.ts';
import { rawOfferAccepted } from '../test-support/raw-files-offer.ts';
import { CHUNK_BYTES, decodeFilesMessage, encodeChunk } from './file-messages.ts';
import { memorySource, memoryStorage } from './file-storage.ts';
import { FilesRoom, type TransferView } from './files-room.ts';
import { BLOCK_BYTES } from './manifest.ts';

function room(net: FakeFilesNet, id: string, storage = memoryStorage()) {
  const transport = net.node(id);
  const files = new FilesRoom(transport, storage, { selfName: () => `name-${id}`, peerName: (p) => `name-${p}` });
  return { id, transport, files, storage };
}

const view = (files: FilesRoom, direction: 'in' | 'out', peer?: string): TransferView | undefined =>
  files.list().find((v) => v.direction === direction && v.status !== 'preparing' && (peer === undefined || v.peer === peer));

const random = (n: number) => new Uint8Array(randomBytes(n));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** SHA-256 of what Save would download (comparing digests: deep equality of MBs is slow). */
async function saved(files: FilesRoom, key: string): Promise<string> {
  const file = await files.file(key);
  if (!file) throw new Error('not saveable');
  return sha(new Uint8Array(await file.blob.arrayBuffer()));
}

async function pair(size: number) {
  const net = new FakeFilesNet();
  const a = room(net, 'A');
  const b = room(net, 'B');
  net.connect('A', 'B');
  const bytes = random(size);
  await a.files.send([{ source: memorySource(bytes), name: 'data.bin', type: 'application/octet-stream' }], null);
  await net.until(() => view(b.files, 'in')?.status === 'offered');
  return { net, a, b, bytes };
}

// Generous: these run real hashing and many event-loop turns, and CI has 2 busy cores.
describe('FilesRoom transfers (in-memory network)', { timeout: 30_000 }, () => {
  it('sends a file that arrives byte for byte, verified on both sides, nothing written before Accept', async () => {
    const { net, a, b, bytes } = await pair(3 * BLOCK_BYTES + 777);
    const offer = view(b.files, 'in')!;
    expect(offer).toMatchObject({ name: 'data.bin', size: bytes.length, peerName: 'name-A', status: 'offered' });
    expect(b.storage.blocks.files.size).toBe(0);
    b.files.accept(offer.key);
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(view(b.files, 'in')).toMatchObject({ status: 'verified', verified: true, bytesDone: bytes.length });
    expect(view(a.files, 'out')).toMatchObject({ verified: true, sentBytes: bytes.length });
    expect(await saved(b.files, offer.key)).toBe(sha(bytes));
    expect((await b.storage.records.list())[0]?.status).toBe('verified');
    await b.files.remove(offer.key);
    await a.files.remove(view(a.files, 'out')!.key);
    expect(b.files.list()).toEqual([]);
    expect(a.files.list()).toEqual([]);
    expect(b.storage.blocks.files.size).toBe(0);
    expect(b.storage.records.map.size).toBe(0);
  });

  it('Remove does nothing to a transfer still running', async () => {
    const { net, a, b } = await pair(4 * BLOCK_BYTES);
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => (view(b.files, 'in')?.bytesDone ?? 0) > BLOCK_BYTES);
    await b.files.remove(view(b.files, 'in')!.key);
    await a.files.remove(view(a.files, 'out')!.key);
    expect(view(b.files, 'in')?.status).toBe('receiving');
    expect(view(a.files, 'out')?.status).toBe('sending');
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
  });

  it('a link that reports drain from inside send (as PeerLink does) still gets every chunk exactly once', async () => {
    const net = new FakeFilesNet();
    net.drainInsideSend = true;
    const a = room(net, 'A');
    const b = room(net, 'B');
    net.connect('A', 'B');
    const bytes = random(2 * BLOCK_BYTES + 3);
    await a.files.send([{ source: memorySource(bytes), name: 'r.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(b.transport.dropped).toEqual([]);
    expect(view(a.files, 'out')?.sentBytes).toBe(bytes.length);
    expect(await saved(b.files, view(b.files, 'in')!.key)).toBe(sha(bytes));
  });

  it('decline: the sender sees it, the receiver stores nothing', async () => {
    const { net, a, b } = await pair(100_000);
    b.files.decline(view(b.files, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'declined');
    expect(view(b.files, 'in')?.status).toBe('declined');
    expect(b.storage.blocks.files.size).toBe(0);
    expect(b.storage.records.map.size).toBe(0);
  });

  it.each(['sender', 'receiver'] as const)('cancel by the %s mid-way stops it for both and discards the partial file', async (who) => {
    const { net, a, b } = await pair(8 * BLOCK_BYTES);
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => (view(b.files, 'in')?.bytesDone ?? 0) > 2 * BLOCK_BYTES);
    if (who === 'sender') a.files.cancel(view(a.files, 'out')!.key);
    else b.files.cancel(view(b.files, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'cancelled' && view(b.files, 'in')?.status === 'cancelled');
    await net.until(() => b.storage.blocks.files.size === 0 && b.storage.records.map.size === 0);
    expect(view(b.files, 'in')?.error).toBe(who === 'sender' ? 'cancelled by the sender' : 'cancelled');
    expect(a.transport.dropped).toEqual([]);
    expect(b.transport.dropped).toEqual([]);
  });

  it('asks again for a block that fails its hash, and still delivers the exact file', async () => {
    const { net, a, b, bytes } = await pair(4 * BLOCK_BYTES);
    let corrupted = 0;
    net.tamper = ({ data }) => {
      const m = decodeFilesMessage(data);
      if (m?.kind === 'chunk' && m.block === 2 && m.offset === 0 && corrupted++ === 0) {
        const copy = data.slice();
        copy[copy.length - 1]! ^= 0xff;
        return copy;
      }
      return data;
    };
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    expect(corrupted).toBe(2);
    expect(view(a.files, 'out')?.sentBytes).toBe(bytes.length + BLOCK_BYTES);
    expect(await saved(b.files, view(b.files, 'in')!.key)).toBe(sha(bytes));
  });

  it('fails after a block fails its hash three times', async () => {
    const { net, a, b } = await pair(2 * BLOCK_BYTES);
    net.tamper = ({ data }) => {
      const m = decodeFilesMessage(data);
      if (m?.kind !== 'chunk' || m.block !== 1) return data;
      const copy = data.slice();
      copy[copy.length - 1]! ^= 0xff;
      return copy;
    };
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => view(a.files, 'out')?.status === 'failed');
    expect(view(b.files, 'in')).toMatchObject({ status: 'failed', error: 'block 1 failed its SHA-256 check 3 times' });
    expect(view(a.files, 'out')?.error).toBe('block 1 failed its SHA-256 check 3 times');
  });

  it('link drop mid-transfer: resumes on reconnect with at most 10 % sent twice', async () => {
    const { net, a, b, bytes } = await pair(10 * BLOCK_BYTES + 5);
    b.files.accept(view(b.files, 'in')!.key);
    // Cut while chunks are on their way, so some are lost.
    await net.until(() => (view(b.files, 'in')?.bytesDone ?? 0) > 4.3 * BLOCK_BYTES && net.queuedBytes('A', 'B') > 0);
    net.cut('A', 'B');
    expect(view(b.files, 'in')?.waiting).toBe(true);
    expect(view(a.files, 'out')?.waiting).toBe(true);
    net.connect('A', 'B');
    await net.until(() => view(a.files, 'out')?.status === 'delivered');
    const sent = view(a.files, 'out')!.sentBytes!;
    expect(sent).toBeGreaterThan(bytes.length); // something in flight was lost
    expect(sent - bytes.length).toBeLessThanOrEqual(0.1 * bytes.length);
    expect(await saved(b.files, view(b.files, 'in')!.key)).toBe(sha(bytes));
  });

  it('receiver reload mid-transfer: resumes from the stored blocks under its new peer id', async () => {
    const { net, a, b, bytes } = await pair(10 * BLOCK_BYTES);
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => (b.storage.blocks.files.get(view(b.files, 'in')!.hash)?.size ?? 0) >= 5);
    b.files.destroy();
    net.cut('A', 'B');
    const reloaded = room(net, 'B2', b.storage);
    await reloaded.files.restore();
    expect(view(reloaded.files, 'in')).toMatchObject({ status: 'receiving', peer: 'A', waiting: true });
    net.connect('A', 'B2');
    await net.until(() => view(a.files, 'out', 'B2')?.status === 'delivered');
    expect(view(reloaded.files, 'in')?.status).toBe('verified');
    const toB2 = view(a.files, 'out', 'B2')!;
    expect(toB2.verified).toBe(true);
    expect(toB2.sentBytes).toBeLessThanOrEqual(5 * BLOCK_BYTES + 0.1 * bytes.length);
    expect(await saved(reloaded.files, view(reloaded.files, 'in')!.key)).toBe(sha(bytes));
  });

  it('sender reload: choosing the same file again resumes it without asking the receiver again', async () => {
    const { net, a, b, bytes } = await pair(8 * BLOCK_BYTES);
    b.files.accept(view(b.files, 'in')!.key);
    await net.until(() => (b.storage.blocks.files.get(view(b.files, 'in')!.hash)?.size ?? 0) >= 3);
    a.files.destroy();
    net.cut('A', 'B');
    const a2 = room(net, 'A2');
    net.connect('A2', 'B');
    await a2.files.send([{ source: memorySource(bytes), name: 'data.bin', type: '' }], null);
    await net.until(() => view(a2.files, 'out')?.status === 'delivered');
    expect(view(a2.files, 'out')!.sentBytes).toBeLessThanOrEqual(6 * BLOCK_BYTES);
    const incoming = b.files.list().filter((v) => v.direction === 'in');
    expect(incoming).toHaveLength(1);
    expect(incoming[0]).toMatchObject({ status: 'verified', peer: 'A2' });
    expect(await saved(b.files, incoming[0]!.key)).toBe(sha(bytes));
  });

  it('an unanswered offer survives the receiver reload, and Accept afterwards delivers the file to the new peer id', async () => {
    const net = new FakeFilesNet();
    const a = room(net, 'A');
    const b = room(net, 'B');
    net.connect('A', 'B');
    const bytes = random(2 * BLOCK_BYTES + 9);
    await a.files.send([{ source: memorySource(bytes), name: 'later.bin', type: 'text/plain' }], 'B');
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    await net.until(() => b.storage.records.map.size === 1);
    expect(b.storage.blocks.files.size).toBe(0);
    b.files.destroy();
    net.cut('A', 'B');
    const b2 = room(net, 'B2', b.storage);
    await b2.files.restore();
    expect(view(b2.files, 'in')).toMatchObject({ status: 'offered', name: 'later.bin', peerName: 'name-A', peer: 'A', size: bytes.length });
    net.connect('A', 'B2');
    await net.settle();
    expect(a.files.list().filter((v) => v.peer === 'B2')).toEqual([]); // a targeted offer is not offered to newcomers
    b2.files.accept(view(b2.files, 'in')!.key);
    await net.until(() => view(a.files, 'out', 'B2')?.status === 'delivered');
    expect(await saved(b2.files, view(b2.files, 'in')!.key)).toBe(sha(bytes));
  });

  it('a declined offer is forgotten: it does not come back after a reload', async () => {
    const { net, b } = await pair(1000);
    await net.until(() => b.storage.records.map.size === 1);
    b.files.decline(view(b.files, 'in')!.key);
    await net.until(() => b.storage.records.map.size === 0);
    const b2 = room(net, 'B2', b.storage);
    await b2.files.restore();
    expect(b2.files.list()).toEqual([]);
  });

  it('a room-wide offer reaches a peer that joins later; a second offer of the same file replaces the first', async () => {
    const net = new FakeFilesNet();
    const a = room(net, 'A');
    const b = room(net, 'B');
    net.connect('A', 'B');
    const bytes = random(BLOCK_BYTES + 1);
    await a.files.send([{ source: memorySource(bytes), name: 'all.bin', type: '' }], null);
    await net.until(() => view(b.files, 'in')?.status === 'offered');
    const c = room(net, 'C');
    net.connect('A', 'C');
    await net.until(() => view(c.files, 'in')?.status === 'offered');
    expect(view(c.files, 'in')).toMatchObject({ name: 'all.bin', peer: 'A' });
    c.files.accept(view(c.files, 'in')!.key);
    await net.until(() => view(a.files, 'out', 'C')?.status === 'delivered');
    expect(await saved(c.files, view(c.files, 'in')!.key)).toBe(sha(bytes));
    // The same file offered again (e.g. the sender reloaded and chose it again): B still has one offer.
    const [again] = await a.files.send([{ source: memorySource(bytes), name: 'all.bin', type: '' }], 'B');
    await net.until(() => b.files.list().some((v) => v.key === `A/${again}`));
    expect(b.files.list().filter((v) => v.direction === 'in').map((v) => v.key)).toEqual([`A/${again}`]);
    expect(b.storage.records.map.get(sha(bytes))).toMatchObject({ status: 'offered', id: again });
  });

  it('a room-wide file the sender cancelled for everyone is not offered to peers who join later', async () => {
    const { net, a, b } = await pair(BLOCK_BYTES);
    a.files.cancel(view(a.files, 'out')!.key);
    await net.until(() => view(b.files, 'in')?.status === 'cancelled');
    const c = room(net, 'C');
    net.connect('A', 'C');
    await net.settle();
    expect(c.files.list()).toEqual([]);
    expect(a.files.list().filter((v) => v.peer === 'C')).toEqual([]);
  });

  it('one file to three peers at once, each verified', async () => {
    const net = new FakeFilesNet();
    const a = room(net, 'A');
    const receivers = ['B', 'C', 'D'].map((id) => room(net, id));
    for (const r of receivers) net.connect('A', r.id);
    const bytes = random(3 * BLOCK_BYTES + 1);
    await a.files.send([{ source: memorySource(bytes), name: 'x.bin', type: '' }], null);
    await net.until(() => receivers.every((r) => view(r.files, 'in')?.status === 'offered'));
    for (const r of receivers) r.files.accept(view(r.files, 'in')!.key);
    await net.until(() => a.files.list().filter((v) => v.status === 'delivered').length === 3);
    for (const r of receivers) expect(view(r.files, 'in')?.status).toBe('verified');
    for (const r of receivers) expect(await saved(r.files, view(r.files, 'in')!.key)).toBe(sha(bytes));
    expect(a.files.list().filter((v) => v.status === 'delivered')).toHaveLength(3);
  });

  it('several transfers to one peer share the link: both progress before either finishes', async () => {
    const net = new FakeFilesNet();
    const a = room(net, 'A');
    const b = room(net, 'B');
    net.connect('A', 'B');
    await a.files.send([0, 1].map((i) => ({ source: memorySource(random(6 * BLOCK_BYTES)), name: `f${i}`, type: '' })), null);
    await net.until(() => b.files.list().filter((v) => v.status === 'offered').length === 2);
    for (const v of b.files.list()) b.files.accept(v.key);
    await net.until(() => b.files.list().some((v) => v.bytesDone > 3 * BLOCK_BYTES));
    for (const v of b.files.list()) expect(v.bytesDone).toBeGreaterThan(2 * BLOCK_BYTES);
    await net.until(() => b.files.list().every((v) => v.status === 'verified'));
  });
});

describe('FilesRoom against a misbehaving sender', { timeout: 30_000 }, () => {
  async function evilOffer(size: number) {
    const net = new FakeFilesNet();
    const evil = net.node('X');
    const b = room(net, 'B');
    net.connect('X', 'B');
    const bytes = random(size);
    const { accept } = await rawOfferAccepted(net, evil, b, { bytes, name: 'evil.bin', id: 'evilevilevilevil' });
    const session = accept.session;
    const chunk = (block: number, offset: number, length = 1000) => encodeChunk({ session, block, offset, data: bytes.subarray(block * BLOCK_BYTES + offset, block * BLOCK_BYTES + offset + length) });
    return { net, evil, b, session, chunk };
  }

  const cases: Array<[string, (s: Awaited<ReturnType<typeof evilOffer>>) => OutgoingMessage[], RegExp]> = [
    ['garbage', () => [new Uint8Array([9, 9, 9])], /malformed message/],
    ['a chunk for a session never opened', ({ session }) => [encodeChunk({ session: session + 100, block: 0, offset: 0, data: new Uint8Array(5) })], /never opened/],
    ['a block out of range', ({ chunk }) => [encodeChunk({ session: 1, block: 7, offset: 0, data: new Uint8Array(5) }), chunk(0, 0)], /out of range/],
    ['an offset out of order', ({ chunk }) => [chunk(0, 5)], /offset 5/],
    [
      'more than the block holds',
      ({ session }) => {
        const messages: OutgoingMessage[] = [];
        for (let offset = 0; offset < BLOCK_BYTES - 10; offset += CHUNK_BYTES) {
          messages.push(encodeChunk({ session, block: 0, offset, data: new Uint8Array(Math.min(CHUNK_BYTES, BLOCK_BYTES - 10 - offset)) }));
        }
        messages.push(encodeChunk({ session, block: 0, offset: BLOCK_BYTES - 10, data: new Uint8Array(100) }));
        return messages;
      },
      /runs past the end of block 0/,
    ],
    ['a second block while one is incomplete', ({ chunk }) => [chunk(0, 0), chunk(1, 0)], /while block 0 is incomplete/],
  ];

  it.each(cases)('drops a peer that sends %s, and the transfer fails with the reason', async (_name, attack, reason) => {
    const setup = await evilOffer(2 * BLOCK_BYTES);
    for (const message of attack(setup)) setup.evil.send('B', 'files', message);
    await setup.net.until(() => setup.b.transport.dropped.length > 0);
    expect(setup.b.transport.dropped[0]?.detail).toMatch(reason);
    const incoming = view(setup.b.files, 'in')!;
    expect(incoming.status).toBe('failed');
    expect(incoming.error).toMatch(reason);
    expect(incoming.error).toMatch(/disconnected/);
  });

  it('drops a peer that resends a block it already delivered', async () => {
    const setup = await evilOffer(BLOCK_BYTES + 10);
    const { chunk, evil, net, b } = setup;
    for (let offset = 0; offset < BLOCK_BYTES; offset += CHUNK_BYTES) evil.send('B', 'files', chunk(0, offset, Math.min(CHUNK_BYTES, BLOCK_BYTES - offset)));
    evil.send('B', 'files', chunk(0, 0, 10));
    await net.until(() => b.transport.dropped.length > 0);
    expect(b.transport.dropped[0]?.detail).toMatch(/block 0 was not requested/);
  });
});
