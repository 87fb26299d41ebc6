/**
 * The sending side. One OutgoingFile per file offered, with one OutgoingPeer per receiver.
 * Bytes are read from the source lazily, one block at a time (with a small shared cache so one
 * file to several peers is read about once), and cut into chunks that are handed to the link
 * only while our scheduler queue for that peer is short: the scheduler decides when they go on
 * the wire (files only fill what the other channels leave), this side only keeps it fed.
 * Transfers to one peer take turns chunk by chunk, so several transfers share a link fairly.
 * Flow control: a block is started only within the receiver's window (`accept.upTo`, raised by
 * `credit` as the receiver stores blocks); until then the transfer waits and the others go on.
 */
import type { PeerId } from '../net/protocol.ts';
import { BlockMap } from './block-map.ts';
import { CHUNK_BYTES, encodeAckRequest, encodeChunk, encodeControl, type Ack, type ControlMessage } from './file-messages.ts';
import type { FilesContext } from './files-context.ts';
import { BLOCK_BYTES, blockCount, blockLength, type BlockSource, type Manifest } from './manifest.ts';
import { RateMeter } from './rate-meter.ts';

/** What we keep queued in the scheduler per peer; refilled on `drain`. */
export const SENDER_QUEUE_BYTES = 256 * 1024;
/**
 * The in-flight window: chunk bytes sent to one peer and not yet acknowledged by its page (acks),
 * over all transfers — what can sit between our scheduler and the receiver's main thread at once.
 * While the link carries typing or cursor frames (`interactive`), it is small enough that a burst
 * fits Chromium's UDP receive buffer (SO_RCVBUF 64 KiB, doubled by Linux: ~60 datagrams): a
 * busy machine then loses no packets, where a larger burst does and SCTP's recovery stalls every
 * channel of the link, keystrokes included, for tens to hundreds of ms (docs/decisions.md).
 * Otherwise the window is larger, for throughput, and the chunks whole frames. (What waits in
 * front of a keystroke is still bounded by the files budget in our scheduler: docs/files.md.)
 */
export const INTERACTIVE_WINDOW_BYTES = 48 * 1024;
export const INTERACTIVE_CHUNK_BYTES = 16 * 1024;
/** Whole-frame chunks are acked once per block (see FileReceiver.onChunk): room for a few blocks. */
export const BULK_WINDOW_BYTES = 4 * 1024 * 1024;
/** Blocks kept in memory per file (current, prefetched, shared between peers). */
export const BLOCK_CACHE_SIZE = 4;

export type OutgoingStatus = 'offered' | 'sending' | 'sent' | 'delivered' | 'declined' | 'cancelled' | 'failed';

interface SendSession {
  readonly id: number;
  readonly queue: number[];
  /** Flow control: blocks we may start in this session (the receiver's `accept`, raised by `credit`), and how many we started. */
  upTo: number;
  started: number;
  /** Chunk bytes sent in this session, and acknowledged by the receiver. */
  sentBytes: number;
  ackedBytes: number;
  /** sentBytes when we last asked for an ack (a chunk that asks, or an ack request). */
  requestedBytes: number;
  current: { block: number; offset: number; data: Uint8Array | null } | null;
}

export interface OutgoingPeer {
  readonly peer: PeerId;
  status: OutgoingStatus;
  session: SendSession | null;
  /** Bytes the receiver holds or that we handed to the link in the current session. */
  doneBytes: number;
  /** Every chunk byte ever sent to this peer (resends included). */
  sentBytes: number;
  readonly rate: RateMeter;
  error: string | null;
}

export interface OutgoingFile {
  readonly id: string;
  readonly manifest: Manifest;
  readonly source: BlockSource;
  readonly peers: Map<PeerId, OutgoingPeer>;
  readonly cache: Map<number, Promise<Uint8Array>>;
  /** Offered to the whole room: peers who join later are offered it too (until the sender cancels every transfer of it). */
  readonly roomWide: boolean;
}

export class FileSender {
  readonly files = new Map<string, OutgoingFile>();
  private turn = 0;
  private pumping = false;
  private readonly again = new Set<PeerId>();

  constructor(private readonly ctx: FilesContext) {}

  offer(id: string, manifest: Manifest, source: BlockSource, to: readonly PeerId[], roomWide = false): OutgoingFile {
    const file: OutgoingFile = { id, manifest, source, peers: new Map(), cache: new Map(), roomWide };
    this.files.set(id, file);
    for (const peer of to) this.offerTo(file, peer);
    return file;
  }

  /** Offers an already-offered file to one more peer (or again after it declined). */
  offerTo(file: OutgoingFile, peer: PeerId): void {
    file.peers.set(peer, { peer, status: 'offered', session: null, doneBytes: 0, sentBytes: 0, rate: new RateMeter(), error: null });
    this.ctx.send(peer, encodeControl({ t: 'offer', id: file.id, from: this.ctx.selfName(), manifest: file.manifest }));
  }

  /**
   * A new link to `peer`: what the old one had queued is gone. Sessions wait for the receiver's
   * next accept, which says what it holds. A peer we never offered a room-wide file to (it
   * joined later) is offered it now.
   */
  onPeerOpen(peer: PeerId): void {
    for (const file of this.files.values()) {
      const target = file.peers.get(peer);
      if (target) target.session = null;
      else if (file.roomWide && stillOffered(file)) this.offerTo(file, peer);
    }
  }

  /** Forgets a finished transfer to `peer` (and the file, once no peer is left). */
  remove(id: string, peer: PeerId): void {
    const file = this.files.get(id);
    const target = file?.peers.get(peer);
    if (!file || !target || isActive(target.status)) return;
    file.peers.delete(peer);
    if (file.peers.size === 0) this.files.delete(id);
    this.ctx.changed();
  }

  has(id: string): boolean {
    return this.files.has(id);
  }

  cancel(id: string, peer: PeerId | null): void {
    const file = this.files.get(id);
    if (!file) return;
    for (const target of file.peers.values()) {
      if (peer !== null && target.peer !== peer) continue;
      if (!isActive(target.status)) continue;
      this.ctx.send(target.peer, encodeControl({ t: 'cancel', id, code: 'cancelled', reason: 'cancelled by the sender' }));
      this.end(target, 'cancelled', 'cancelled');
    }
  }

  /** A control message about one of our files (accept, decline, need, done, cancel). */
  onControl(peer: PeerId, message: ControlMessage): void {
    const file = this.files.get(message.id);
    if (!file) {
      if (message.t === 'accept') {
        this.ctx.send(peer, encodeControl({ t: 'cancel', id: message.id, code: 'unavailable', reason: 'the sender no longer offers this file' }));
      }
      return;
    }
    const target = file.peers.get(peer);
    switch (message.t) {
      case 'accept':
        return this.onAccept(file, peer, message);
      case 'decline':
        if (target?.status === 'offered') this.end(target, 'declined', 'declined');
        return;
      case 'need': {
        if (!target?.session || target.session.id !== message.session) return; // a stale session's request
        if (message.block >= blockCount(file.manifest.size)) return this.ctx.dropPeer(peer, 'files: need for a block out of range');
        target.session.queue.push(message.block);
        target.doneBytes -= blockLength(file.manifest.size, message.block);
        if (target.status === 'sent') target.status = 'sending';
        this.ctx.changed();
        return this.pump(peer);
      }
      case 'done':
        if (target && isActive(target.status)) {
          target.doneBytes = file.manifest.size;
          this.end(target, 'delivered', null);
        }
        return;
      case 'cancel':
        if (target && isActive(target.status)) this.end(target, message.code === 'failed' ? 'failed' : 'cancelled', message.reason || 'cancelled by the receiver');
        return;
      case 'credit':
        // A stale session's credit, or one lower than what we have (reordered never, but harmless), changes nothing.
        if (!target?.session || target.session.id !== message.session || message.upTo <= target.session.upTo) return;
        target.session.upTo = message.upTo;
        return this.pump(peer);
      case 'offer':
        return;
    }
  }

  /** The receiver's page has had `ack.bytes` of a session: the window moves on. */
  onAck(peer: PeerId, ack: Ack): void {
    for (const file of this.files.values()) {
      const session = file.peers.get(peer)?.session;
      if (session?.id !== ack.session) continue;
      if (ack.bytes > session.sentBytes) return this.ctx.dropPeer(peer, 'files: ack for bytes never sent');
      if (ack.bytes <= session.ackedBytes) return;
      session.ackedBytes = ack.bytes;
      return this.pump(peer);
    }
    // A session that ended (resumed, cancelled, done) may still be acked: nothing to do.
  }

  /** Keeps the scheduler queue for `peer` fed, taking turns between transfers. */
  pump(peer: PeerId): void {
    // Sending can make the link report `drain` synchronously, which calls back in here.
    if (this.pumping) {
      this.again.add(peer);
      return;
    }
    this.pumping = true;
    try {
      this.fill(peer);
      for (let rounds = 0; this.again.size > 0 && rounds < 100; rounds++) {
        const next = [...this.again];
        this.again.clear();
        for (const p of next) this.fill(p);
      }
    } finally {
      this.pumping = false;
      this.again.clear();
    }
  }

  private fill(peer: PeerId): void {
    if (!this.ctx.isOpen(peer)) return;
    const active = [...this.files.values()].flatMap((file) => {
      const target = file.peers.get(peer);
      return target?.session && target.status === 'sending' ? [{ file, target }] : [];
    });
    if (active.length === 0) return;
    let idle = 0;
    let inFlight = this.inFlight(peer);
    const interactive = this.ctx.interactive(peer);
    const window = interactive ? INTERACTIVE_WINDOW_BYTES : BULK_WINDOW_BYTES;
    const chunkBytes = interactive ? INTERACTIVE_CHUNK_BYTES : CHUNK_BYTES;
    while (idle < active.length && this.ctx.queuedBytes(peer) < SENDER_QUEUE_BYTES && inFlight < window) {
      const { file, target } = active[this.turn++ % active.length]!;
      const sent = this.sendChunk(file, target, chunkBytes, interactive);
      idle = sent > 0 ? 0 : idle + 1;
      inFlight += sent;
    }
    if (inFlight >= window) this.requestAcks(peer);
  }

  /**
   * Stopped at the window: every session with bytes sent since we last asked for an ack asks now,
   * so an ack is always coming (whole-frame chunks ask only at block ends, and the window shrinks
   * when typing starts).
   */
  private requestAcks(peer: PeerId): void {
    for (const file of this.files.values()) {
      const session = file.peers.get(peer)?.session;
      if (!session || session.sentBytes === session.requestedBytes) continue;
      session.requestedBytes = session.sentBytes;
      this.ctx.send(peer, encodeAckRequest(session.id));
    }
  }

  /** Chunk bytes sent to `peer` in the current sessions and not acknowledged yet. */
  private inFlight(peer: PeerId): number {
    let bytes = 0;
    for (const file of this.files.values()) {
      const session = file.peers.get(peer)?.session;
      if (session) bytes += session.sentBytes - session.ackedBytes;
    }
    return bytes;
  }

  /** A first accept, or a resume after a reconnect or the receiver's reload: a new session. */
  private onAccept(file: OutgoingFile, peer: PeerId, message: Extract<ControlMessage, { t: 'accept' }>): void {
    const count = blockCount(file.manifest.size);
    let have: BlockMap;
    try {
      have = BlockMap.decode(count, message.have);
    } catch {
      return this.ctx.dropPeer(peer, 'files: accept with a malformed block map');
    }
    const partial = message.partial;
    if (partial && (partial.block >= count || partial.bytes >= blockLength(file.manifest.size, partial.block) || have.has(partial.block))) {
      return this.ctx.dropPeer(peer, 'files: accept with an impossible partial block');
    }
    let target = file.peers.get(peer);
    if (!target) {
      // The receiver reloaded (new peer id) and asks to resume: it knows the id, so it was offered this file.
      target = { peer, status: 'offered', session: null, doneBytes: 0, sentBytes: 0, rate: new RateMeter(), error: null };
      file.peers.set(peer, target);
    }
    if (target.status === 'cancelled' || target.status === 'failed') {
      this.ctx.send(peer, encodeControl({ t: 'cancel', id: file.id, code: 'cancelled', reason: target.error ?? 'cancelled by the sender' }));
      return;
    }
    const queue = have.missing();
    target.session = { id: message.session, queue, current: null, upTo: message.upTo, started: 0, sentBytes: 0, ackedBytes: 0, requestedBytes: 0 };
    target.doneBytes = file.manifest.size - queue.reduce((sum, b) => sum + blockLength(file.manifest.size, b), 0);
    if (partial) {
      queue.splice(queue.indexOf(partial.block), 1);
      target.session.current = { block: partial.block, offset: partial.bytes, data: null };
      target.doneBytes += partial.bytes;
      this.load(file, target, target.session);
    }
    target.status = queue.length === 0 && !partial ? 'sent' : 'sending';
    target.error = null;
    this.ctx.changed();
    this.pump(peer);
  }

  /**
   * Sends the next chunk (at most `chunkBytes`) of `target`'s session; returns its size (0: nothing
   * to send now). It asks for an ack if `ackEach` (small chunks while typing) or it ends a block.
   */
  private sendChunk(file: OutgoingFile, target: OutgoingPeer, chunkBytes: number, ackEach: boolean): number {
    const session = target.session!;
    if (!session.current) {
      if (session.queue.length === 0) {
        target.status = 'sent';
        this.ctx.changed();
        return 0;
      }
      // Flow control: the receiver has no room for another block until it stores one and says so.
      if (session.started >= session.upTo) return 0;
      const block = session.queue.shift()!;
      session.started++;
      session.current = { block, offset: 0, data: null };
      this.load(file, target, session);
    }
    const current = session.current;
    if (!current.data) return 0;
    const offset = current.offset;
    const length = Math.min(chunkBytes, current.data.length - offset);
    const ackNow = ackEach || offset + length === current.data.length;
    const chunk = encodeChunk({ session: session.id, block: current.block, offset, data: current.data.subarray(offset, offset + length), ackNow });
    current.offset += length;
    session.sentBytes += length;
    if (ackNow) session.requestedBytes = session.sentBytes;
    target.sentBytes += length;
    target.doneBytes += length;
    target.rate.add(this.ctx.now(), target.sentBytes);
    const finished = current.offset >= current.data.length;
    if (finished) session.current = null;
    this.ctx.send(target.peer, chunk);
    this.ctx.progressed();
    if (finished && target.session === session) {
      if (session.queue.length === 0) {
        target.status = 'sent';
        this.ctx.changed();
      } else {
        void this.read(file, session.queue[0]!).catch(() => undefined); // prefetch
      }
    }
    return length;
  }

  private load(file: OutgoingFile, target: OutgoingPeer, session: SendSession): void {
    const current = session.current!;
    this.read(file, current.block).then(
      (data) => {
        if (target.session !== session || session.current !== current) return;
        current.data = data;
        this.pump(target.peer);
      },
      (error: unknown) => {
        if (target.session !== session) return;
        const reason = `could not read the file: ${error instanceof Error ? error.message : String(error)}`;
        this.ctx.send(target.peer, encodeControl({ t: 'cancel', id: file.id, code: 'failed', reason }));
        this.end(target, 'failed', reason);
      },
    );
  }

  private read(file: OutgoingFile, block: number): Promise<Uint8Array> {
    let pending = file.cache.get(block);
    if (!pending) {
      const length = blockLength(file.manifest.size, block);
      pending = file.source.read(block * BLOCK_BYTES, length).then((bytes) => {
        if (bytes.length !== length) throw new Error('the file changed since it was offered');
        return bytes;
      });
      file.cache.set(block, pending);
      while (file.cache.size > BLOCK_CACHE_SIZE) file.cache.delete(file.cache.keys().next().value!);
    }
    return pending;
  }

  private end(target: OutgoingPeer, status: OutgoingStatus, error: string | null): void {
    target.status = status;
    target.session = null;
    target.error = error;
    this.ctx.changed();
  }
}

/**
 * Whether a room-wide file is still on offer: it shows in the sender's list (a file offered to an
 * empty room has no row, so it could not be cancelled: it is not offered later) and the sender has
 * not cancelled every transfer of it.
 */
function stillOffered(file: OutgoingFile): boolean {
  return file.peers.size > 0 && ![...file.peers.values()].every((t) => t.status === 'cancelled');
}

export function isActive(status: OutgoingStatus): boolean {
  return status === 'offered' || status === 'sending' || status === 'sent';
}
