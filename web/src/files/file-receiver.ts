/**
 * The receiving side. Nothing is written before the user accepts. Each accept (first, or a
 * resume after a reconnect or reload) opens a new numbered session listing what we lack; chunks
 * must belong to the current session, to a requested block, and arrive in order within it.
 * A completed block is checked against its SHA-256 (asked again on mismatch), stored, and
 * marked held; once all are held the whole file is hashed from storage before Save is offered.
 * A peer that sends anything else (unrequested blocks, offsets out of range, more than a block
 * holds, blocks beyond its window, garbage) is dropped and its transfers fail with the reason.
 *
 * Flow control: a session lets the sender start RECEIVE_WINDOW_BLOCKS blocks, minus those
 * still in our memory (being hashed or written) when it opens; each block that leaves memory
 * (stored, or dropped after a failed hash) grants one more (`credit`). So the blocks held in
 * memory per transfer never exceed the window, however slow the disk.
 */
import type { PeerId } from '../net/protocol.ts';
import { BlockMap } from './block-map.ts';
import { encodeAck, encodeControl, type Chunk, type ControlMessage } from './file-messages.ts';
import type { FilesContext } from './files-context.ts';
import { BlockBuffers } from './block-buffers.ts';
import type { FileStorage, StoredBlock } from './file-storage.ts';
import { keyOf, newIncoming, type Incoming, type IncomingStatus } from './incoming.ts';
import { forgetOffer, persistIncoming } from './incoming-records.ts';
import { blockCount, blockLength, type Manifest } from './manifest.ts';

export type { Incoming, IncomingStatus } from './incoming.ts';

/** A block that fails its hash this many times fails the transfer. */
export const MAX_BLOCK_RETRIES = 3;
/** Offers from one peer waiting for an answer; more is a flood and drops the peer. */
export const MAX_PENDING_OFFERS = 64;
/**
 * Flow-control window, in 1 MiB blocks: what may be in our memory per transfer (the block being
 * filled plus those being hashed and written). 16 MiB covers ~0.6 s of a 25 MB/s link, far more
 * than a block's hash + OPFS write + the credit's way back (see docs/decisions.md).
 */
export const RECEIVE_WINDOW_BLOCKS = 16;
/** Unanswered offers kept across reloads for at most this long. */
export const OFFER_KEEP_MS = 7 * 24 * 3600 * 1000;
/** Block buffers kept for reuse: as many as the window, so a transfer allocates no new ones once under way (freed when nothing is received). */
const MAX_SPARE_BUFFERS = RECEIVE_WINDOW_BLOCKS;

export class FileReceiver {
  readonly transfers = new Map<string, Incoming>();
  /** Every session we opened, per peer (old ones stay so their late chunks are recognised). */
  private readonly sessions = new Map<PeerId, Map<number, Incoming>>();
  private nextSession = 1;
  private readonly buffers = new BlockBuffers(MAX_SPARE_BUFFERS);

  constructor(
    private readonly ctx: FilesContext,
    private readonly storage: FileStorage,
  ) {}

  /** Stored downloads from before a reload: finished ones can be saved, the rest resume when their sender is back. */
  async restore(): Promise<void> {
    for (const record of await this.storage.records.list()) {
      const key = keyOf(record.from, record.id);
      if (this.transfers.has(key)) continue;
      if (record.status === 'offered') {
        // An offer nobody answered before the reload: shown again, unless it is old.
        if (this.ctx.now() - (record.offeredAt ?? 0) > OFFER_KEEP_MS) {
          await this.storage.records.delete(record.hash).catch(() => undefined);
          continue;
        }
        if ([...this.transfers.values()].some((t) => t.manifest.hash === record.hash)) continue;
        this.create(record.from, record.id, record.fromName, record.manifest, 'offered', new BlockMap(blockCount(record.manifest.size)), record.offeredAt);
        continue;
      }
      const have = BlockMap.decode(blockCount(record.manifest.size), record.have);
      const t = this.create(record.from, record.id, record.fromName, record.manifest, record.status === 'verified' ? 'verified' : 'receiving', have);
      if (t.status === 'receiving' && this.ctx.isOpen(t.peer)) this.startSession(t);
    }
    this.ctx.changed();
  }

  onControl(peer: PeerId, message: ControlMessage): void {
    if (message.t === 'offer') {
      void this.onOffer(peer, message.id, message.from, message.manifest);
      return;
    }
    if (message.t !== 'cancel') return;
    const t = this.transfers.get(keyOf(peer, message.id));
    if (!t || !isLive(t.status)) return;
    if (message.code === 'unavailable') {
      this.retireSession(t);
      t.status = 'paused';
      t.error = 'the sender no longer has this file; it resumes when they send it again';
      this.ctx.changed();
      return;
    }
    this.end(t, message.code === 'failed' ? 'failed' : 'cancelled', message.reason || 'cancelled by the sender', true);
  }

  accept(key: string): void {
    const t = this.transfers.get(key);
    if (!t || t.status !== 'offered') return;
    t.status = 'receiving';
    void this.persist(t).then(() => this.begin(t));
  }

  decline(key: string): void {
    const t = this.transfers.get(key);
    if (!t || t.status !== 'offered') return;
    this.ctx.send(t.peer, encodeControl({ t: 'decline', id: t.id }));
    t.status = 'declined';
    void forgetOffer(this.storage.records, t);
    this.ctx.changed();
  }

  cancel(key: string): void {
    const t = this.transfers.get(key);
    if (!t || !isLive(t.status) || t.status === 'offered') return;
    this.ctx.send(t.peer, encodeControl({ t: 'cancel', id: t.id, code: 'cancelled', reason: 'cancelled by the receiver' }));
    this.end(t, 'cancelled', 'cancelled', true);
  }

  /** Forgets a finished transfer and deletes what it stored (the saved copy stays where it was saved). */
  async remove(key: string): Promise<void> {
    const t = this.transfers.get(key);
    if (!t || isLive(t.status)) return;
    this.transfers.delete(key);
    this.ctx.changed();
    await settled(t);
    if ([...this.transfers.values()].some((other) => other.manifest.hash === t.manifest.hash)) return;
    await this.storage.blocks.delete(t.manifest.hash);
    await this.storage.records.delete(t.manifest.hash);
  }

  /** The link to `peer` is open (again): resume every unfinished transfer from it. */
  onPeerOpen(peer: PeerId): void {
    for (const t of this.transfers.values()) if (t.peer === peer && t.status === 'receiving') this.startSession(t);
  }

  /** The peer was dropped for misbehaving: its transfers fail with the reason. */
  onPeerDropped(peer: PeerId, detail: string): void {
    for (const t of this.transfers.values()) if (t.peer === peer && isLive(t.status)) this.end(t, 'failed', `${detail}; the sender was disconnected`, false);
  }

  /** Returns why the chunk breaks the protocol (the caller drops the peer), or null. */
  onChunk(peer: PeerId, chunk: Chunk): string | null {
    const t = this.sessions.get(peer)?.get(chunk.session);
    if (!t) return 'chunk for a session that was never opened';
    if (t.session !== chunk.session || t.status !== 'receiving') return null; // late chunk of a finished session
    const size = t.manifest.size;
    if (chunk.block >= blockCount(size)) return `block ${chunk.block} is out of range`;
    const length = blockLength(size, chunk.block);
    let filling = t.filling;
    if (filling && filling.block !== chunk.block) return `chunk of block ${chunk.block} while block ${filling.block} is incomplete`;
    if (!filling) {
      if (!t.expected.has(chunk.block)) return `block ${chunk.block} was not requested`;
      if (t.started >= t.upTo) return `block ${chunk.block} starts beyond the window of ${t.upTo} blocks`;
      t.started++;
      t.expected.delete(chunk.block);
      filling = t.filling = { block: chunk.block, data: this.buffers.take(length), offset: 0 };
    }
    if (chunk.offset !== filling.offset) return `chunk at offset ${chunk.offset} of block ${chunk.block}, expected ${filling.offset}`;
    if (chunk.offset + chunk.data.length > length) return `chunk runs past the end of block ${chunk.block}`;
    filling.data.set(chunk.data, filling.offset);
    filling.offset += chunk.data.length;
    t.bytesDone += chunk.data.length;
    t.sessionBytes += chunk.data.length;
    if (chunk.ackNow) this.ack(t);
    t.rate.add(this.ctx.now(), t.bytesDone);
    this.ctx.progressed();
    if (filling.offset === length) {
      t.filling = null;
      const { block, data } = filling;
      t.pending.add(block);
      const store: Promise<void> = this.storeBlock(t, block, data)
        .catch(() => null)
        .then((reusable) => {
          t.pending.delete(block);
          t.stores.delete(store);
          if (reusable) this.buffers.give(reusable);
          this.grant(t);
          this.trimSpare();
        });
      t.stores.add(store);
    }
    return null;
  }

  /** The sender asks how much of `session` arrived (it stopped at its in-flight window). */
  onAckRequest(peer: PeerId, session: number): void {
    const t = this.sessions.get(peer)?.get(session);
    if (t && t.session === session && t.status === 'receiving') this.ack(t);
  }

  private ack(t: Incoming): void {
    if (t.session !== null) this.ctx.send(t.peer, encodeAck({ session: t.session, bytes: t.sessionBytes }));
  }

  /** The whole file as a Blob, for Save. */
  async file(key: string): Promise<{ blob: Blob; name: string } | null> {
    const t = this.transfers.get(key);
    if (!t || t.status !== 'verified') return null;
    const blob = await this.storage.blocks.assemble(t.manifest.hash, blockCount(t.manifest.size), t.manifest.type);
    return { blob, name: t.manifest.name };
  }

  private async onOffer(peer: PeerId, id: string, fromName: string, manifest: Manifest): Promise<void> {
    const key = keyOf(peer, id);
    const known = this.transfers.get(key);
    if (known) {
      if (known.manifest.hash !== manifest.hash) this.ctx.dropPeer(peer, 'files: offer id reused for another file');
      return;
    }
    const pending = [...this.transfers.values()].filter((t) => t.peer === peer && t.status === 'offered').length;
    if (pending >= MAX_PENDING_OFFERS) return this.ctx.dropPeer(peer, 'files: too many offers');
    // The same content, already (partly) here: a resent offer after the sender reloaded. Resume without asking.
    const stored = await this.storage.records.get(manifest.hash).catch(() => undefined);
    const previous = [...this.transfers.values()].find((t) => t.manifest.hash === manifest.hash && (t.status === 'receiving' || t.status === 'paused' || t.status === 'verified'));
    if (stored && stored.status !== 'offered' && previous) {
      this.retireSession(previous);
      // Its block stores still under way must not write its record (old id and sender) over ours.
      previous.status = 'paused';
      this.transfers.delete(previous.key);
      // What is in memory is at least as new as the record (its write may still be under way).
      const t = this.create(peer, id, fromName, manifest, 'receiving', previous.have);
      t.filling = previous.filling;
      t.bytesDone = previous.bytesDone;
      await this.persist(t);
      this.begin(t);
      return;
    }
    // The same file offered again (its sender reloaded, or it reached us again): one offer, the newest.
    for (const other of [...this.transfers.values()]) {
      if (other.manifest.hash === manifest.hash && other.status === 'offered') this.transfers.delete(other.key);
    }
    const t = this.create(peer, id, fromName, manifest, 'offered', new BlockMap(blockCount(manifest.size)));
    this.ctx.changed();
    // Kept across a reload, unless the storage already holds this file for another transfer.
    if (!stored || stored.status === 'offered') await this.persist(t);
  }

  /** Drops the reusable block buffers once nothing is being received. */
  private trimSpare(): void {
    if (![...this.transfers.values()].some((x) => x.status === 'receiving')) this.buffers.clear();
  }

  private create(peer: PeerId, id: string, fromName: string, manifest: Manifest, status: IncomingStatus, have: BlockMap, offeredAt = this.ctx.now()): Incoming {
    const t = newIncoming(peer, id, fromName, manifest, status, have, offeredAt);
    this.transfers.set(t.key, t);
    return t;
  }

  private begin(t: Incoming): void {
    if (t.status !== 'receiving') return;
    if (t.have.complete) {
      void this.verifyWhole(t);
    } else if (this.ctx.isOpen(t.peer)) {
      this.startSession(t);
    }
    this.ctx.changed();
  }

  private startSession(t: Incoming): void {
    this.retireSession(t);
    const session = this.nextSession++;
    t.session = session;
    let peerSessions = this.sessions.get(t.peer);
    if (!peerSessions) this.sessions.set(t.peer, (peerSessions = new Map()));
    peerSessions.set(session, t);
    const partial = t.filling ? { block: t.filling.block, bytes: t.filling.offset } : null;
    // Blocks complete but still being checked or written count as held; one that then fails its
    // hash is asked for again with `need`.
    t.expected = new Set(t.have.missing().filter((b) => !t.pending.has(b) && b !== partial?.block));
    const claim = new BlockMap(t.have.blocks);
    for (let i = 0; i < t.have.blocks; i++) if (!t.expected.has(i) && i !== partial?.block) claim.set(i);
    // The window counts what is still in memory: blocks being stored and the partial one.
    t.upTo = Math.max(0, RECEIVE_WINDOW_BLOCKS - t.pending.size - (t.filling ? 1 : 0));
    t.started = 0;
    t.sessionBytes = 0;
    this.ctx.send(t.peer, encodeControl({ t: 'accept', id: t.id, session, have: claim.encode(), partial, upTo: t.upTo }));
  }

  /** A block of `t` left memory: the sender may start one more in the current session. */
  private grant(t: Incoming): void {
    if (t.session === null || t.status !== 'receiving' || this.transfers.get(t.key) !== t) return;
    t.upTo++;
    this.ctx.send(t.peer, encodeControl({ t: 'credit', id: t.id, session: t.session, upTo: t.upTo }));
  }

  private retireSession(t: Incoming): void {
    t.session = null;
  }

  /** Checks and writes a block; resolves with its buffer for reuse (null if it was lost). */
  private async storeBlock(t: Incoming, block: number, data: Uint8Array): Promise<Uint8Array | null> {
    if (t.status !== 'receiving') return data;
    let result: StoredBlock;
    try {
      result = await this.storage.blocks.storeBlock(t.manifest.hash, block, data, t.manifest.blocks[block]!);
    } catch (error) {
      const reason = `could not store the file: ${error instanceof Error ? error.message : String(error)}`;
      this.ctx.send(t.peer, encodeControl({ t: 'cancel', id: t.id, code: 'failed', reason }));
      this.end(t, 'failed', reason, true);
      return null;
    }
    if (!result.stored) {
      this.blockFailed(t, block, result.bytes.length);
      return result.bytes;
    }
    if (t.status !== 'receiving') return result.bytes;
    t.have.set(block);
    await this.persist(t);
    if (t.have.complete && t.status === 'receiving') await this.verifyWhole(t);
    return result.bytes;
  }

  /** A block failed its SHA-256: ask for it again, or give up after MAX_BLOCK_RETRIES. */
  private blockFailed(t: Incoming, block: number, length: number): void {
    const failures = (t.failures.get(block) ?? 0) + 1;
    t.failures.set(block, failures);
    t.bytesDone -= length;
    if (failures >= MAX_BLOCK_RETRIES) {
      const reason = `block ${block} failed its SHA-256 check ${failures} times`;
      this.ctx.send(t.peer, encodeControl({ t: 'cancel', id: t.id, code: 'failed', reason }));
      return this.end(t, 'failed', reason, true);
    }
    // Without a session (link down) the next accept lists the block as missing anyway.
    if (t.session !== null) {
      t.expected.add(block);
      this.ctx.send(t.peer, encodeControl({ t: 'need', id: t.id, session: t.session, block }));
    }
  }

  private async verifyWhole(t: Incoming): Promise<void> {
    t.status = 'verifying';
    this.ctx.changed();
    try {
      if ((await this.storage.blocks.digestFile(t.manifest.hash, blockCount(t.manifest.size))) !== t.manifest.hash) {
        const reason = 'the file does not match its SHA-256 (the sender announced inconsistent hashes)';
        this.ctx.send(t.peer, encodeControl({ t: 'cancel', id: t.id, code: 'failed', reason }));
        return this.end(t, 'failed', reason, true);
      }
    } catch (error) {
      return this.end(t, 'failed', `could not read the stored file back: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    if (t.status !== 'verifying') return;
    t.status = 'verified';
    t.bytesDone = t.manifest.size;
    this.retireSession(t);
    await this.persist(t);
    this.ctx.send(t.peer, encodeControl({ t: 'done', id: t.id }));
    this.trimSpare();
    this.ctx.changed();
  }

  /** Writes `t`'s record (IndexedDB in browsers), coalesced; see incoming-records.ts. */
  private persist(t: Incoming): Promise<void> {
    return persistIncoming(this.storage.records, t, () => this.transfers.get(t.key) === t);
  }

  private end(t: Incoming, status: IncomingStatus, error: string, discard: boolean): void {
    t.status = status;
    t.error = error;
    t.filling = null;
    this.retireSession(t);
    this.trimSpare();
    if (discard) {
      const hash = t.manifest.hash;
      void settled(t).then(async () => {
        await this.storage.blocks.delete(hash).catch(() => undefined);
        await this.storage.records.delete(hash).catch(() => undefined);
      });
    }
    this.ctx.changed();
  }
}

/** Resolves once every block store of `t` under way now has finished. */
async function settled(t: Incoming): Promise<void> {
  await Promise.allSettled([...t.stores]);
  await t.persisting;
}


function isLive(status: IncomingStatus): boolean {
  return status === 'offered' || status === 'receiving' || status === 'verifying' || status === 'paused';
}
