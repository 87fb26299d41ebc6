/** What the UI shows about a room's connectivity, derived from the session's state. */
import type { IceStatus } from '../net/ice-config.ts';
import type { SaveStatus } from './doc-store.ts';
import type { PeerPresence, PresenceState } from './presence.ts';
import type { MeshDiagnostic, PeerSnapshot } from '../net/mesh.ts';
import type { LinkStats } from '../net/peer-link.ts';
import type { PeerId } from '../net/protocol.ts';
import type { SignalingMachineState } from '../net/signaling-machine.ts';

export interface PeerView extends PeerSnapshot {
  readonly stats: LinkStats | null;
  readonly presence: PeerPresence | null;
}

export const OverallStatus = { connected: 'connected', reconnecting: 'reconnecting', offline: 'offline' } as const;
export type OverallStatus = (typeof OverallStatus)[keyof typeof OverallStatus];

export interface RoomSnapshot {
  readonly selfId: PeerId | null;
  readonly self: PresenceState | null;
  readonly signaling: SignalingMachineState;
  readonly peers: readonly PeerView[];
  readonly diagnostics: readonly MeshDiagnostic[];
  readonly relayConfigured: boolean;
  readonly iceStatus: IceStatus;
  /** Local persistence, when the session has it. */
  readonly save: { status: SaveStatus; error: string | null } | null;
  readonly overall: OverallStatus;
}

/**
 * offline: neither signaling nor any peer is reachable; reconnecting: something is being
 * re-established; connected: signaling is up and every known peer is connected.
 */
export function overallStatus(snapshot: Omit<RoomSnapshot, 'overall'>): OverallStatus {
  const anyPeerUp = snapshot.peers.some((p) => p.link.phase === 'connected');
  if (snapshot.signaling.phase !== 'connected' && !anyPeerUp) return OverallStatus.offline;
  const allPeersUp = snapshot.peers.every((p) => p.link.phase === 'connected' || p.link.phase === 'failed');
  return snapshot.signaling.phase === 'connected' && allPeersUp ? OverallStatus.connected : OverallStatus.reconnecting;
}

/** "retrying in 4 s", or null when no retry is scheduled. */
export function retryCountdown(retryAt: number | null, now: number): string | null {
  if (retryAt === null) return null;
  return `retrying in ${Math.max(0, Math.ceil((retryAt - now) / 1000))} s`;
}
