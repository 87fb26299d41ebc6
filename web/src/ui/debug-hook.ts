/**
 * `window.meshpad`: a read-only view of the current room for diagnostics and the e2e tests
 * (which read the real RTCDataChannel options through it).
 */
import type { TransferView } from '../files/files-room.ts';
import type { ChannelInfo, LinkStats } from '../net/peer-link.ts';
import type { RoomSession } from '../sync/room-session.ts';

export interface MeshpadDebug {
  selfId(): string | null;
  peers(): string[];
  text(): string;
  channels(): Record<string, ChannelInfo[]>;
  /** Link state machine of every peer, and the signaling machine. */
  linkStates(): Record<string, { phase: string; transport: string; failures: number }>;
  signalingPhase(): string;
  linkStats(peer: string): Promise<LinkStats | null>;
  /** Closes the RTCPeerConnection to `peer` as a crash would (reconnect tests). */
  closeConnection(peer: string): boolean;
  /** Leave signaling and close all links / join again (benchmarks of offline edits and resync). */
  goOffline(): void;
  goOnline(): void;
  /** Every file transfer (both directions), as the files panel shows them. */
  files(): TransferView[];
}

declare global {
  interface Window {
    meshpad?: MeshpadDebug;
  }
}

export function installDebugHook(session: RoomSession): void {
  window.meshpad = {
    selfId: () => session.network?.self ?? null,
    peers: () => session.network?.openPeers() ?? [],
    text: () => session.text.toString(),
    channels: () => session.network?.channelInfo() ?? {},
    linkStates: () =>
      Object.fromEntries(
        (session.network?.peers() ?? []).map((p) => [p.id, { phase: p.link.phase, transport: p.link.transport, failures: p.link.failures }]),
      ),
    signalingPhase: () => session.network?.signalingState.phase ?? 'idle',
    linkStats: (peer) => session.network?.linkStats(peer) ?? Promise.resolve(null),
    closeConnection: (peer) => session.network?.closeConnection(peer) ?? false,
    goOffline: () => session.goOffline(),
    goOnline: () => session.goOnline(),
    files: () => session.files?.list() ?? [],
  };
}
