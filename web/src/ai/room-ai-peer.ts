/** Which peer a browser without an endpoint of its own asks: a connected peer announcing a model. */
import type { PeerId } from '../net/protocol.ts';
import type { PeerPresence } from '../sync/presence.ts';

export interface RoomAiPeer {
  readonly peer: PeerId;
  readonly model: string;
  readonly name: string;
}

/** The first (by peer id, so every peer picks the same) live peer whose presence announces an AI. */
export function chooseAiPeer(peers: ReadonlyArray<{ readonly peer: PeerId; readonly presence: PeerPresence | null }>): RoomAiPeer | null {
  const candidates = peers
    .filter(({ presence }) => presence?.ai && !presence.lost)
    .sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  const first = candidates[0];
  if (!first?.presence?.ai) return null;
  return { peer: first.peer, model: first.presence.ai.model, name: first.presence.name };
}
