/**
 * File transfers in a room, over the `files` channel of every peer link: routes messages to the
 * sending and receiving sides, drops misbehaving peers, and gives the UI one list of transfers
 * (both directions) with progress, rate and ETA. No DOM: the browser hands in its storage
 * (OPFS + IndexedDB) and File-backed sources.
 */
import { randomBase64Url } from '../net/base64url.ts';
import { systemClock, type Clock } from '../net/clock.ts';
import type { Mesh } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';
import { decodeFilesMessage } from './file-messages.ts';
import { FileReceiver, type IncomingStatus } from './file-receiver.ts';
import { FileSender, type OutgoingStatus } from './file-sender.ts';
import type { FilesContext } from './files-context.ts';
import type { FileStorage } from './file-storage.ts';
import { buildManifest, type BlockSource } from './manifest.ts';

export type FilesTransport = Pick<Mesh, 'on' | 'send' | 'dropPeer' | 'openPeers' | 'queuedBytes' | 'interactive'>;

/** Progress notifications to the UI at most this often. */
export const PROGRESS_NOTIFY_MS = 100;

export interface TransferView {
  readonly key: string;
  readonly direction: 'in' | 'out';
  readonly peer: PeerId;
  readonly peerName: string;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly hash: string;
  readonly status: IncomingStatus | OutgoingStatus | 'preparing';
  /** The link to the peer is down: the transfer resumes when it is back. */
  readonly waiting: boolean;
  readonly bytesDone: number;
  readonly bytesPerSecond: number | null;
  readonly etaSeconds: number | null;
  readonly verified: boolean;
  readonly error: string | null;
  /** Sender only: chunk bytes sent to this peer, resends included. */
  readonly sentBytes: number | null;
}

export interface OutgoingInput {
  readonly source: BlockSource;
  readonly name: string;
  readonly type: string;
}

export interface FilesRoomOptions {
  readonly selfName: () => string;
  readonly peerName: (peer: PeerId) => string;
  readonly clock?: Clock;
}

export class FilesRoom {
  private readonly sender: FileSender;
  private readonly receiver: FileReceiver;
  private readonly clock: Clock;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void>;
  private readonly preparing = new Map<string, { name: string; size: number; type: string; done: number; to: PeerId | null; error: string | null }>();
  private progressTimer: unknown = null;
  private readonly warnedVersion = new Set<PeerId>();
  private destroyed = false;

  constructor(
    private readonly transport: FilesTransport,
    storage: FileStorage,
    private readonly options: FilesRoomOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    const ctx: FilesContext = {
      send: (peer, message) => transport.send(peer, 'files', message),
      queuedBytes: (peer) => transport.queuedBytes(peer, 'files'),
      interactive: (peer) => transport.interactive(peer),
      isOpen: (peer) => transport.openPeers().includes(peer),
      dropPeer: (peer, detail) => this.drop(peer, detail),
      selfName: () => options.selfName(),
      now: () => this.clock.now(),
      changed: () => this.notify(),
      progressed: () => this.notifySoon(),
    };
    this.sender = new FileSender(ctx);
    this.receiver = new FileReceiver(ctx, storage);
    this.unsubscribe = [
      transport.on('message', ({ peer, label, data }) => {
        if (label === 'files') this.onMessage(peer, data);
      }),
      transport.on('drain', ({ peer, label }) => {
        if (label === 'files') this.sender.pump(peer);
      }),
      transport.on('peer-open', (peer) => {
        this.sender.onPeerOpen(peer);
        this.receiver.onPeerOpen(peer);
        this.notify();
      }),
    ];
  }

  /** Loads downloads stored before a reload (finished ones can be saved, the rest resume). */
  restore(): Promise<void> {
    return this.receiver.restore();
  }

  /**
   * Hashes each file (read once, block by block) and offers it to `to`, or to every peer with an
   * open link. Resolves with the transfer ids.
   */
  async send(inputs: readonly OutgoingInput[], to: PeerId | null): Promise<string[]> {
    const ids: string[] = [];
    for (const input of inputs) {
      const id = randomBase64Url(12);
      const entry = { name: input.name, size: input.source.size, type: input.type, done: 0, to, error: null as string | null };
      this.preparing.set(id, entry);
      this.notify();
      try {
        const manifest = await buildManifest(input.source, input.name, input.type, (done) => {
          entry.done = done;
          this.notifySoon();
        });
        if (this.destroyed) return ids;
        this.preparing.delete(id);
        const targets = to === null ? this.transport.openPeers() : [to];
        this.sender.offer(id, manifest, input.source, targets, to === null);
        ids.push(id);
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
      this.notify();
    }
    return ids;
  }

  accept(key: string): void {
    this.receiver.accept(key);
  }

  decline(key: string): void {
    this.receiver.decline(key);
  }

  /** Cancels an incoming transfer, or an outgoing one to one peer. */
  cancel(key: string): void {
    const out = parseOutKey(key);
    if (out) this.sender.cancel(out.id, out.peer);
    else this.receiver.cancel(key);
  }

  /** Removes a finished transfer from the list; for a download, deletes the stored copy too. */
  async remove(key: string): Promise<void> {
    if (key.startsWith('prep:')) {
      this.preparing.delete(key.slice(5));
      this.notify();
      return;
    }
    const out = parseOutKey(key);
    if (out) this.sender.remove(out.id, out.peer);
    else await this.receiver.remove(key);
  }

  /** A verified download, ready to save under its original name. */
  file(key: string): Promise<{ blob: Blob; name: string } | null> {
    return this.receiver.file(key);
  }

  list(): TransferView[] {
    const open = new Set(this.transport.openPeers());
    const views: TransferView[] = [];
    for (const [id, p] of this.preparing) {
      views.push({
        key: `prep:${id}`,
        direction: 'out',
        peer: p.to ?? '',
        peerName: p.to ? this.options.peerName(p.to) : 'everyone',
        name: p.name,
        size: p.size,
        type: p.type,
        hash: '',
        status: p.error ? 'failed' : 'preparing',
        waiting: false,
        bytesDone: p.done,
        bytesPerSecond: null,
        etaSeconds: null,
        verified: false,
        error: p.error,
        sentBytes: null,
      });
    }
    for (const file of this.sender.files.values()) {
      for (const target of file.peers.values()) {
        const active = target.status === 'sending' || target.status === 'sent' || target.status === 'offered';
        const rate = target.status === 'sending' ? target.rate.rate() : null;
        views.push({
          key: outKey(file.id, target.peer),
          direction: 'out',
          peer: target.peer,
          peerName: this.options.peerName(target.peer),
          name: file.manifest.name,
          size: file.manifest.size,
          type: file.manifest.type,
          hash: file.manifest.hash,
          status: target.status,
          waiting: active && !open.has(target.peer),
          bytesDone: Math.max(0, Math.min(file.manifest.size, target.doneBytes)),
          bytesPerSecond: rate,
          etaSeconds: eta(file.manifest.size - target.doneBytes, rate),
          verified: target.status === 'delivered',
          error: target.error,
          sentBytes: target.sentBytes,
        });
      }
    }
    for (const t of this.receiver.transfers.values()) {
      const rate = t.status === 'receiving' ? t.rate.rate() : null;
      views.push({
        key: t.key,
        direction: 'in',
        peer: t.peer,
        peerName: t.fromName,
        name: t.manifest.name,
        size: t.manifest.size,
        type: t.manifest.type,
        hash: t.manifest.hash,
        status: t.status,
        waiting: t.status === 'receiving' && !open.has(t.peer),
        bytesDone: Math.max(0, Math.min(t.manifest.size, t.bytesDone)),
        bytesPerSecond: rate,
        etaSeconds: eta(t.manifest.size - t.bytesDone, rate),
        verified: t.status === 'verified',
        error: t.error,
        sentBytes: null,
      });
    }
    return views;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.progressTimer !== null) this.clock.clearTimeout(this.progressTimer);
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
  }

  private onMessage(peer: PeerId, data: Uint8Array): void {
    const message = decodeFilesMessage(data);
    if (!message) return this.drop(peer, 'files: malformed message');
    if (message.kind === 'unsupported') {
      // Another app version (before or after a deploy): not misbehaviour, but nothing we can talk about.
      if (!this.warnedVersion.has(peer)) console.warn(`[meshpad] files: peer ${peer} speaks files protocol version ${message.version}; ignoring its file messages`);
      this.warnedVersion.add(peer);
      return;
    }
    if (message.kind === 'chunk') {
      const violation = this.receiver.onChunk(peer, message);
      if (violation) this.drop(peer, `files: ${violation}`);
      return;
    }
    if (message.kind === 'ack') return this.sender.onAck(peer, message);
    if (message.kind === 'ack-request') return this.receiver.onAckRequest(peer, message.session);
    const control = message.message;
    switch (control.t) {
      case 'offer':
        return this.receiver.onControl(peer, control);
      case 'cancel':
        if (this.sender.has(control.id)) return this.sender.onControl(peer, control);
        return this.receiver.onControl(peer, control);
      default:
        return this.sender.onControl(peer, control);
    }
  }

  private drop(peer: PeerId, detail: string): void {
    this.receiver.onPeerDropped(peer, detail);
    for (const file of this.sender.files.values()) {
      const target = file.peers.get(peer);
      if (target && (target.status === 'offered' || target.status === 'sending' || target.status === 'sent')) {
        target.status = 'failed';
        target.session = null;
        target.error = `${detail}; the receiver was disconnected`;
      }
    }
    this.transport.dropPeer(peer, detail);
    this.notify();
  }

  private notify(): void {
    if (this.destroyed) return;
    for (const listener of [...this.listeners]) listener();
  }

  private notifySoon(): void {
    if (this.progressTimer !== null || this.destroyed) return;
    this.progressTimer = this.clock.setTimeout(() => {
      this.progressTimer = null;
      this.notify();
    }, PROGRESS_NOTIFY_MS);
  }
}

function outKey(id: string, peer: PeerId): string {
  return `out:${id}:${peer}`;
}

function parseOutKey(key: string): { id: string; peer: PeerId } | null {
  const match = /^out:([A-Za-z0-9_-]+):(.+)$/.exec(key);
  return match ? { id: match[1]!, peer: match[2]! } : null;
}

function eta(remaining: number, rate: number | null): number | null {
  return rate && rate > 0 ? Math.max(0, remaining) / rate : null;
}
