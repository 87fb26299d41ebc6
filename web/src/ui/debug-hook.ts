/**
 * `window.meshpad`: a read-only view of the current room for diagnostics and the e2e tests
 * (which read the real RTCDataChannel options through it).
 */
import { FrameTap, type FrameCounts, type FrameListener } from '../net/frame-tap.ts';
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
  /** Application frames sent/received per channel since the last `resetFrames()` (frame-tap.ts). */
  frames(): FrameCounts;
  resetFrames(): void;
  /** Count from now on every frame (either direction) containing `text`; `watchedFrameHits()` reads it. */
  watchFrames(text: string): void;
  watchedFrameHits(): number;
  /** Every frame as it is sent or received (the cursor bench times frame → rendered with it). */
  onFrame(listener: FrameListener): () => void;
  /** Every file transfer (both directions), as the files panel shows them. */
  files(): TransferView[];
}

declare global {
  interface Window {
    meshpad?: MeshpadDebug;
  }
}

export function installDebugHook(session: RoomSession): void {
  let tap: FrameTap | null = null;
  const frameTap = (): FrameTap | null => {
    if (!tap && session.network) tap = new FrameTap(session.network);
    return tap;
  };
  frameTap();
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
    frames: () => frameTap()?.frameCounts() ?? { sent: {}, received: {} },
    resetFrames: () => frameTap()?.reset(),
    watchFrames: (text) => frameTap()?.watchFor(text),
    watchedFrameHits: () => frameTap()?.watchedHits ?? 0,
    onFrame: (listener) => frameTap()?.onFrame(listener) ?? (() => undefined),
    files: () => session.files?.list() ?? [],
  };
}
