/**
 * Everything one open room needs, without any UI: the Yjs document, signaling, the mesh of
 * peer links, ICE configuration and the code-sync provider. The UI (or the headless peer)
 * creates one per room and reads `snapshot()` whenever `subscribe` fires.
 */
import * as Y from 'yjs';
import { systemClock, type Clock } from '../net/clock.ts';
import { IceConfig, type FetchLike } from '../net/ice-config.ts';
import { Mesh, type MeshDiagnostic } from '../net/mesh.ts';
import type { LinkStats } from '../net/peer-link.ts';
import type { PeerId } from '../net/protocol.ts';
import { deriveRoomKey } from '../net/room-crypto.ts';
import type { RoomAddress } from '../net/room-url.ts';
import { SignalingClient, signalingUrl, type SocketFactory } from '../net/signaling-client.ts';
import { initialSignalingState } from '../net/signaling-machine.ts';
import { AiPeerService } from '../ai/ai-peer-service.ts';
import { AiRoom, type AiSettings } from '../ai/ai-room.ts';
import { chooseAiPeer, type RoomAiPeer } from '../ai/room-ai-peer.ts';
import type { AiFetch } from '../ai/openai-stream.ts';
import { FilesRoom } from '../files/files-room.ts';
import { memoryStorage, type FileStorage } from '../files/file-storage.ts';
import { CodeSyncProvider } from './code-sync-provider.ts';
import { CursorAwareness } from './cursor-awareness.ts';
import { CursorProvider } from './cursors.ts';
import { DriverRole } from './driver-role.ts';
import { PresenceProvider, colorFor, type PresenceStatus } from './presence.ts';
import type { DocStore } from './doc-store.ts';
import { overallStatus, type PeerView, type RoomSnapshot } from './room-status.ts';

export const TEXT_NAME = 'code';

/** A `meshpad:<name>` performance mark (the join timeline, for diagnostics and the bench). */
function mark(name: string): void {
  globalThis.performance?.mark?.(`meshpad:${name}`);
}
export const STATS_INTERVAL_MS = 2_000;
const MAX_DIAGNOSTICS = 50;

export interface RoomSessionOptions {
  readonly room: RoomAddress;
  /** Origin of the signaling worker, e.g. `https://meshpad.example` or `http://127.0.0.1:8787`. */
  readonly origin: string;
  readonly createSocket: SocketFactory;
  readonly fetch: FetchLike;
  readonly clock?: Clock;
  /** Test mode: direct connection attempts exchange no candidates (forces the TURN fallback). */
  readonly blockDirect?: boolean;
  /** Extra RTCPeerConnection options for Node WebRTC, e.g. `{ bindAddress: '127.0.0.1' }`. */
  readonly rtcConfigExtras?: Readonly<Record<string, unknown>>;
  /** How we appear to the others (name and colour); the colour defaults to one derived from the name. */
  readonly identity?: { readonly name: string; readonly color?: string };
  /** How AI answers reach the model (streaming fetch); without it this peer cannot ask. */
  readonly aiFetch?: AiFetch;
  /** Be the room's AI peer: answer other peers' Ask AI with these settings (needs `aiFetch`). */
  readonly aiService?: AiSettings;
  /** Where the AI peer's progress lines go (the headless CLI prints them). */
  readonly aiLog?: (line: string) => void;
  /** Local persistence of the document (IndexedDB in browsers); none in the headless peer. */
  readonly persistence?: (doc: Y.Doc, roomId: string) => DocPersistence;
  /** Where received files are kept (OPFS + IndexedDB in browsers); in memory without it. */
  readonly fileStorage?: () => FileStorage;
}

export type DocPersistence = Pick<DocStore, 'whenLoaded' | 'status' | 'error' | 'subscribe' | 'flush' | 'destroy'>;

export class RoomSession {
  readonly doc = new Y.Doc();
  readonly text: Y.Text = this.doc.getText(TEXT_NAME);
  /** Local and remote cursors, in the shape y-codemirror.next renders. */
  readonly awareness = new CursorAwareness(this.doc);
  /** The room's driver (the peer others can follow), kept in the shared document. */
  readonly driver = new DriverRole(this.doc);
  private aiService: AiPeerService | null = null;
  private presenceProvider: PresenceProvider | null = null;
  private cursors: CursorProvider | null = null;
  private aiRoom: AiRoom | null = null;
  private filesRoom: FilesRoom | null = null;
  private readonly clock: Clock;
  private readonly ice: IceConfig;
  private readonly store: DocPersistence | null;
  private mesh: Mesh | null = null;
  private provider: CodeSyncProvider | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly diagnosticListeners = new Set<(diagnostic: MeshDiagnostic) => void>();
  private readonly diagnostics: MeshDiagnostic[] = [];
  private readonly stats = new Map<PeerId, LinkStats>();
  private statsTimer: unknown = null;
  private closed = false;

  constructor(private readonly options: RoomSessionOptions) {
    this.clock = options.clock ?? systemClock;
    this.ice = new IceConfig(new URL('/api/ice-servers', options.origin).toString(), options.fetch, this.clock, () => {
      this.mesh?.relayAvailabilityChanged();
      this.notify();
    });
    this.store = options.persistence?.(this.doc, options.room.roomId) ?? null;
    this.store?.subscribe(() => this.notify());
  }

  /**
   * Joins at once: the signaling socket connects while the room key is derived and the ICE
   * servers and the stored document load. Peers may meet before the stored document has loaded;
   * what loads is then sent to them as an ordinary update. Rejects only if the room secret is
   * unusable.
   */
  async start(): Promise<void> {
    const { room, origin, createSocket } = this.options;
    mark('start');
    const key = deriveRoomKey(room.secret, room.roomId);
    const iceReady = this.ice.load().then(() => mark('ice'));
    void this.store?.whenLoaded.then(() => mark('stored-doc'));
    if (this.closed) return;
    const signaling = new SignalingClient(signalingUrl(origin, room.roomId), createSocket);
    const mesh = new Mesh({
      roomId: room.roomId,
      key,
      ready: iceReady,
      signaling,
      ice: this.ice,
      clock: this.clock,
      blockDirect: this.options.blockDirect ?? false,
      ...(this.options.rtcConfigExtras ? { rtcConfigExtras: this.options.rtcConfigExtras } : {}),
    });
    this.mesh = mesh;
    this.provider = new CodeSyncProvider(this.doc, mesh, {
      clock: this.clock,
      onUnanswered: (peer, ask, waitedMs) =>
        console.warn(`[meshpad] code-sync: no answer from ${peer} to our state vector in ${waitedMs / 1000} s; asking again (${ask})`),
    });
    this.provider.onSynced(() => this.notify());
    const name = this.options.identity?.name ?? 'Guest';
    this.presenceProvider = new PresenceProvider(
      mesh,
      {
        name,
        color: this.options.identity?.color ?? colorFor(name),
        status: 'active',
        client: this.doc.clientID,
        ...(this.options.aiService ? { ai: { model: this.options.aiService.model } } : {}),
      },
      this.clock,
    );
    this.presenceProvider.subscribe(() => this.notify());
    this.cursors = new CursorProvider(this.doc, this.awareness, mesh, this.presenceProvider, this.clock);
    this.aiRoom = new AiRoom(mesh, this.options.aiFetch ?? (() => Promise.reject(new Error('this peer cannot call an AI endpoint'))), this.clock);
    if (this.options.aiService) this.aiService = new AiPeerService(this.aiRoom, this.options.aiService, this.options.aiLog);
    this.aiRoom.subscribe(() => this.notify());
    const presenceOf = this.presenceProvider;
    this.filesRoom = new FilesRoom(mesh, this.options.fileStorage?.() ?? memoryStorage(), {
      selfName: () => presenceOf.self.name,
      peerName: (peer) => presenceOf.peer(peer)?.name ?? peer.slice(0, 8),
      clock: this.clock,
    });
    void this.filesRoom.restore().catch((error: unknown) => console.warn('[meshpad] stored downloads could not be loaded', error));
    mesh.on('change', () => this.notify());
    mesh.on('diagnostic', (diagnostic) => {
      this.diagnostics.push(diagnostic);
      if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.shift();
      for (const listener of this.diagnosticListeners) listener(diagnostic);
      this.notify();
    });
    mesh.on('peer-open', () => mark('peer-open'));
    mesh.start();
    try {
      await key;
    } catch (error) {
      this.close();
      throw error;
    }
    this.pollStats();
    this.notify();
  }

  get network(): Mesh | null {
    return this.mesh;
  }

  snapshot(): RoomSnapshot {
    const mesh = this.mesh;
    const presence = this.presenceProvider;
    const peers: PeerView[] = (mesh?.peers() ?? []).map((p) => ({ ...p, stats: this.stats.get(p.id) ?? null, presence: presence?.peer(p.id) ?? null }));
    const snapshot = {
      selfId: mesh?.self ?? null,
      self: presence?.self ?? null,
      signaling: mesh?.signalingState ?? initialSignalingState,
      peers,
      diagnostics: [...this.diagnostics],
      relayConfigured: this.ice.current().turn,
      iceStatus: this.ice.status,
      save: this.store ? { status: this.store.status, error: this.store.error } : null,
    };
    return { ...snapshot, overall: overallStatus(snapshot) };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every diagnostic as it happens (decrypt failures, dropped peers, server errors). */
  onDiagnostic(listener: (diagnostic: MeshDiagnostic) => void): () => void {
    this.diagnosticListeners.add(listener);
    return () => this.diagnosticListeners.delete(listener);
  }

  /** Peers with an open link that have sent us everything we lacked. */
  syncedPeers(): PeerId[] {
    const provider = this.provider;
    return provider ? (this.mesh?.openPeers() ?? []).filter((peer) => provider.isSyncedWith(peer)) : [];
  }

  /** Bytes queued or buffered for sending on every open link (0 = everything handed to the network). */
  pendingSendBytes(): number {
    return this.mesh?.pendingSendBytes() ?? 0;
  }

  /** Writes unsaved edits now (the page is being hidden or unloaded). */
  flush(): void {
    this.store?.flush();
  }

  /** The room's AI answers (null before start). */
  get ai(): AiRoom | null {
    return this.aiRoom;
  }

  /** The room's AI peer we would ask (connected, announcing a model), or null when there is none. */
  aiPeer(): RoomAiPeer | null {
    const mesh = this.mesh;
    const presence = this.presenceProvider;
    if (!mesh || !presence) return null;
    return chooseAiPeer(mesh.openPeers().map((peer) => ({ peer, presence: presence.peer(peer) ?? null })));
  }

  /** File transfers of the room (null before start). */
  get files(): FilesRoom | null {
    return this.filesRoom;
  }

  /** Our name, colour or activity changed; every peer hears at once. */
  updatePresence(change: { name?: string; color?: string; status?: PresenceStatus }): void {
    this.presenceProvider?.update(change);
  }

  /** Work offline: leave signaling and close every peer link; edits keep being saved locally. */
  goOffline(): void {
    this.mesh?.pause();
  }

  goOnline(): void {
    this.mesh?.resume();
  }

  wake(): void {
    this.mesh?.wake();
  }

  networkChanged(): void {
    this.mesh?.networkChanged();
  }

  retry(): void {
    this.mesh?.retry();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer !== null) this.clock.clearTimeout(this.statsTimer);
    this.ice.stop();
    this.aiService?.destroy();
    this.aiRoom?.destroy();
    this.filesRoom?.destroy();
    this.cursors?.destroy();
    this.presenceProvider?.destroy();
    this.provider?.destroy();
    this.mesh?.destroy();
    void this.store?.destroy();
    this.doc.destroy();
    this.listeners.clear();
    this.diagnosticListeners.clear();
  }

  private pollStats(): void {
    if (this.closed) return;
    const mesh = this.mesh;
    if (mesh) {
      const open = new Set(mesh.openPeers());
      for (const peer of [...this.stats.keys()]) if (!open.has(peer)) this.stats.delete(peer);
      void Promise.all(
        [...open].map(async (peer) => {
          const stats = await mesh.linkStats(peer).catch(() => null);
          if (stats) this.stats.set(peer, stats);
        }),
      ).then(() => this.notify());
    }
    this.statsTimer = this.clock.setTimeout(() => this.pollStats(), STATS_INTERVAL_MS);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
