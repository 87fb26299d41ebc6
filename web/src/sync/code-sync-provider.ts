/**
 * Keeps one Yjs document in sync with every open peer over the code-sync channel.
 * On every link open both sides send their state vector (step 1) and answer the other's with
 * what it lacks (step 2), so edits made on either side while apart converge; afterwards local
 * updates are broadcast as they happen. A peer whose message fails to decode or apply is dropped.
 * A state vector that gets no answer is sent again (after SYNC_ANSWER_TIMEOUT_MS, then twice as
 * long each time, SYNC_MAX_ASKS in all) while the link stays open: once (bench P5, 2026-12-07)
 * a page whose peer had its edits still lacked all of the peer's 30 s later over an open link;
 * which message went missing was not recorded (the bench now logs them).
 */
import * as Y from 'yjs';
import { systemClock, type Clock } from '../net/clock.ts';
import type { Mesh } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';
import { SyncMessageError, decodeSyncMessage, encodeSyncMessage } from './sync-messages.ts';

/** What the provider needs of the mesh; tests pass an in-memory twin. */
export type SyncTransport = Pick<Mesh, 'on' | 'send' | 'broadcast' | 'dropPeer' | 'openPeers'>;

export const SYNC_ANSWER_TIMEOUT_MS = 5_000;
export const SYNC_MAX_ASKS = 4;

export interface CodeSyncOptions {
  readonly clock?: Clock;
  /** Our state vector went unanswered for `waitedMs` and is sent again (ask number `ask`). */
  readonly onUnanswered?: (peer: PeerId, ask: number, waitedMs: number) => void;
}

/** Transaction origin of updates that came from a peer; they are not echoed back out. */
export class RemoteOrigin {
  constructor(readonly peer: PeerId) {}
}

export class CodeSyncProvider {
  private readonly unsubscribe: Array<() => void>;
  /** Peers whose answer to our state vector (sync step 2) we have applied since their link opened. */
  private readonly synced = new Set<PeerId>();
  private readonly syncListeners = new Set<(peer: PeerId) => void>();
  /** Re-ask timers of the peers whose answer we are waiting for. */
  private readonly waiting = new Map<PeerId, unknown>();
  private readonly clock: Clock;
  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin instanceof RemoteOrigin) return;
    this.mesh.broadcast('code-sync', encodeSyncMessage({ kind: 'update', update }));
  };

  constructor(
    private readonly doc: Y.Doc,
    private readonly mesh: SyncTransport,
    private readonly options: CodeSyncOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.unsubscribe = [
      mesh.on('peer-open', (peer) => {
        this.synced.delete(peer);
        this.stopWaiting(peer);
        this.ask(peer, 1);
      }),
      mesh.on('message', ({ peer, label, data }) => {
        if (label === 'code-sync') this.onMessage(peer, data);
      }),
    ];
    doc.on('update', this.onDocUpdate);
  }

  /** Whether `peer` has sent us everything we lacked since its link last opened. */
  isSyncedWith(peer: PeerId): boolean {
    return this.synced.has(peer);
  }

  onSynced(listener: (peer: PeerId) => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  destroy(): void {
    for (const peer of [...this.waiting.keys()]) this.stopWaiting(peer);
    this.syncListeners.clear();
    this.doc.off('update', this.onDocUpdate);
    for (const off of this.unsubscribe) off();
  }

  /** Sends our state vector (the `asks`-th time since the link opened) and waits for the answer. */
  private ask(peer: PeerId, asks: number): void {
    this.mesh.send(peer, 'code-sync', encodeSyncMessage({ kind: 'step1', stateVector: Y.encodeStateVector(this.doc) }));
    this.waiting.delete(peer);
    if (asks >= SYNC_MAX_ASKS) return;
    const waitMs = SYNC_ANSWER_TIMEOUT_MS * 2 ** (asks - 1);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(peer);
      if (this.synced.has(peer) || !this.mesh.openPeers().includes(peer)) return;
      this.options.onUnanswered?.(peer, asks + 1, waitMs);
      this.ask(peer, asks + 1);
    }, waitMs);
    this.waiting.set(peer, timer);
  }

  private stopWaiting(peer: PeerId): void {
    if (!this.waiting.has(peer)) return;
    this.clock.clearTimeout(this.waiting.get(peer));
    this.waiting.delete(peer);
  }

  private onMessage(peer: PeerId, data: Uint8Array): void {
    try {
      const message = decodeSyncMessage(data);
      if (message.kind === 'step1') {
        const update = Y.encodeStateAsUpdate(this.doc, message.stateVector);
        this.mesh.send(peer, 'code-sync', encodeSyncMessage({ kind: 'step2', update }));
      } else {
        Y.applyUpdate(this.doc, message.update, new RemoteOrigin(peer));
        if (message.kind === 'step2' && !this.synced.has(peer)) {
          this.synced.add(peer);
          this.stopWaiting(peer);
          for (const listener of [...this.syncListeners]) listener(peer);
        }
      }
    } catch (error) {
      const detail = error instanceof SyncMessageError ? error.message : `bad Yjs data: ${String(error)}`;
      this.mesh.dropPeer(peer, `code-sync: ${detail}`);
    }
  }
}
