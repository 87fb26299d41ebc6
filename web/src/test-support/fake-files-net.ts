/**
 * An in-memory room for FilesRoom tests: every node's transport queues messages per link
 * (the queue stands for our scheduler's), `step()` delivers them in order and wakes senders with
 * `drain`, links can be cut (queued messages are lost, as with a closed RTCPeerConnection) and
 * reopened (`peer-open` on both ends). A hook can tamper with messages in flight.
 */
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import { WholeFrame, type OutgoingMessage } from '../net/frame-codec.ts';
import type { MeshEvents } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';
import type { FilesTransport } from '../files/files-room.ts';

interface Queued {
  readonly from: PeerId;
  readonly to: PeerId;
  readonly data: Uint8Array;
}

export class FakeTransport extends Emitter<MeshEvents> implements FilesTransport {
  readonly dropped: Array<{ peer: PeerId; detail: string }> = [];
  constructor(
    readonly id: PeerId,
    private readonly net: FakeFilesNet,
  ) {
    super();
  }
  send(peer: PeerId, label: ChannelLabel, data: OutgoingMessage): void {
    if (label !== 'files') throw new Error('files only');
    this.net.enqueue(this.id, peer, data instanceof WholeFrame ? data.body : data);
    // PeerLink's scheduler may report `drain` from inside send().
    if (this.net.drainInsideSend) this.fire('drain', { peer, label: 'files' });
  }
  dropPeer(peer: PeerId, detail: string): void {
    this.dropped.push({ peer, detail });
    this.net.cut(this.id, peer);
  }
  openPeers(): PeerId[] {
    return this.net.openPeersOf(this.id);
  }
  queuedBytes(peer: PeerId): number {
    return this.net.queuedBytes(this.id, peer);
  }
  /** Whether the link counts as carrying typing (the sender's in-flight window is then small). */
  typing = false;
  interactive(): boolean {
    return this.typing;
  }
  fire<K extends keyof MeshEvents>(event: K, payload: MeshEvents[K]): void {
    this.emit(event, payload);
  }
}

const pairKey = (a: PeerId, b: PeerId) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export class FakeFilesNet {
  readonly nodes = new Map<PeerId, FakeTransport>();
  private readonly open = new Set<string>();
  private queue: Queued[] = [];
  /** Bytes delivered per (from → to), for counting resends. */
  readonly delivered = new Map<string, number>();
  tamper: ((message: Queued) => Uint8Array | null) | null = null;
  drainInsideSend = false;

  node(id: PeerId): FakeTransport {
    const t = new FakeTransport(id, this);
    this.nodes.set(id, t);
    return t;
  }

  connect(a: PeerId, b: PeerId): void {
    this.open.add(pairKey(a, b));
    this.nodes.get(a)?.fire('peer-open', b);
    this.nodes.get(b)?.fire('peer-open', a);
  }

  cut(a: PeerId, b: PeerId): void {
    this.open.delete(pairKey(a, b));
    this.queue = this.queue.filter((m) => pairKey(m.from, m.to) !== pairKey(a, b));
  }

  openPeersOf(id: PeerId): PeerId[] {
    return [...this.nodes.keys()].filter((p) => p !== id && this.open.has(pairKey(id, p)));
  }

  enqueue(from: PeerId, to: PeerId, data: Uint8Array): void {
    if (!this.open.has(pairKey(from, to))) return;
    this.queue.push({ from, to, data: data.slice() });
  }

  queuedBytes(from: PeerId, to: PeerId): number {
    let total = 0;
    for (const m of this.queue) if (m.from === from && m.to === to) total += m.data.length;
    return total;
  }

  /** Delivers up to `max` queued messages, then lets senders refill. */
  step(max = 64): void {
    const batch = this.queue.splice(0, max);
    const senders = new Set<string>();
    for (const message of batch) {
      if (!this.open.has(pairKey(message.from, message.to))) continue;
      const data = this.tamper ? this.tamper(message) : message.data;
      if (!data) continue;
      const k = `${message.from}>${message.to}`;
      this.delivered.set(k, (this.delivered.get(k) ?? 0) + data.length);
      this.nodes.get(message.to)?.fire('message', { peer: message.from, label: 'files', data });
      senders.add(`${message.from}>${message.to}`);
    }
    for (const s of senders) {
      const [from, to] = s.split('>') as [PeerId, PeerId];
      this.nodes.get(from)?.fire('drain', { peer: to, label: 'files' });
    }
  }

  /**
   * Runs the network until nothing is queued and nothing more gets queued for `quietRounds`
   * event-loop turns (async hashing and storage included), within the bound.
   */
  async settle(quietRounds = 50, maxRounds = 5_000): Promise<void> {
    let quiet = 0;
    for (let i = 0; i < maxRounds; i++) {
      if (this.queue.length === 0 && ++quiet >= quietRounds) return;
      if (this.queue.length > 0) quiet = 0;
      this.step();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('network did not settle');
  }

  /** Runs the network (and the nodes' async storage and hashing) until `done()` or the bound. */
  async until(done: () => boolean, maxRounds = 5_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      if (done()) return;
      this.step();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('network did not reach the expected state');
  }
}
