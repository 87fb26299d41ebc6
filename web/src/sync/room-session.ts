/**
 * Everything one open room needs, without any UI: the Yjs document, the signaling client, the
 * mesh of peer links and the code-sync provider. The UI (or the headless peer) creates one per
 * room and reads `snapshot()` whenever `subscribe` fires.
 */
import * as Y from 'yjs';
import { Mesh, type MeshDiagnostic, type PeerSnapshot } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';
import { deriveRoomKey } from '../net/room-crypto.ts';
import type { RoomAddress } from '../net/room-url.ts';
import { SignalingClient, signalingUrl, type SignalingState, type SocketFactory } from '../net/signaling-client.ts';
import { CodeSyncProvider } from './code-sync-provider.ts';

export const TEXT_NAME = 'code';
const MAX_DIAGNOSTICS = 50;

export interface RoomSessionOptions {
  readonly room: RoomAddress;
  /** Origin of the signaling worker, e.g. `https://meshpad.example` or `http://127.0.0.1:8787`. */
  readonly origin: string;
  readonly createSocket: SocketFactory;
  readonly rtcConfig?: RTCConfiguration;
}

export interface RoomSnapshot {
  readonly selfId: PeerId | null;
  readonly signaling: SignalingState;
  readonly peers: readonly PeerSnapshot[];
  readonly diagnostics: readonly MeshDiagnostic[];
}

export class RoomSession {
  readonly doc = new Y.Doc();
  readonly text: Y.Text = this.doc.getText(TEXT_NAME);
  private mesh: Mesh | null = null;
  private provider: CodeSyncProvider | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly diagnostics: MeshDiagnostic[] = [];
  private readonly diagnosticListeners = new Set<(diagnostic: MeshDiagnostic) => void>();
  private closed = false;

  constructor(private readonly options: RoomSessionOptions) {}

  /** Derives the room key and joins; rejects only if the room secret is unusable. */
  async start(): Promise<void> {
    const { room, origin, createSocket, rtcConfig } = this.options;
    const key = await deriveRoomKey(room.secret, room.roomId);
    if (this.closed) return;
    const signaling = new SignalingClient(signalingUrl(origin, room.roomId), createSocket);
    const mesh = new Mesh({ roomId: room.roomId, key, signaling, rtcConfig: rtcConfig ?? { iceServers: [] } });
    this.mesh = mesh;
    this.provider = new CodeSyncProvider(this.doc, mesh);
    mesh.on('change', () => this.notify());
    mesh.on('diagnostic', (diagnostic) => {
      this.diagnostics.push(diagnostic);
      if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.shift();
      for (const listener of this.diagnosticListeners) listener(diagnostic);
      this.notify();
    });
    mesh.start();
    this.notify();
  }

  get network(): Mesh | null {
    return this.mesh;
  }

  snapshot(): RoomSnapshot {
    return {
      selfId: this.mesh?.self ?? null,
      signaling: this.mesh?.signalingState ?? 'idle',
      peers: this.mesh?.peers() ?? [],
      diagnostics: [...this.diagnostics],
    };
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.provider?.destroy();
    this.mesh?.destroy();
    this.doc.destroy();
    this.listeners.clear();
    this.diagnosticListeners.clear();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
