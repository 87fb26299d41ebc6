/**
 * `window.meshpad`: a read-only view of the current room for diagnostics and the e2e tests
 * (which read the real RTCDataChannel options through it).
 */
import type { ChannelInfo } from '../net/peer-link.ts';
import type { RoomSession } from '../sync/room-session.ts';

export interface MeshpadDebug {
  selfId(): string | null;
  peers(): string[];
  text(): string;
  channels(): Record<string, ChannelInfo[]>;
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
  };
}
