/**
 * When a room page has made first contact: the moment the UI (CodeMirror, ~0.5 MB of code) is
 * worth evaluating. Until then the main thread belongs to the WebRTC handshake, whose every step
 * (welcome, offer, answer, DTLS) waits for it: evaluating the UI meanwhile delays the first link
 * by as long as the evaluation takes. Settled when any of:
 *  - a peer has synced (the editor then mounts with the room's text already in it);
 *  - we joined an empty room (nobody to connect to);
 *  - signaling is down (offline: show the stored document at once);
 *  - every known peer's link has failed, or `maxWaitMs` passed (never hold the UI back long).
 */
import type { Clock } from '../net/clock.ts';
import type { RoomSnapshot } from './room-status.ts';

/** Longest the UI waits for first contact; a slow network shows the editor without it. */
export const FIRST_CONTACT_MAX_WAIT_MS = 1_500;

export type FirstContact = 'synced' | 'empty-room' | 'offline' | 'links-failed' | 'timeout';

/** The reason first contact is settled in this state, or null while the handshake is under way. */
export function firstContactOutcome(snapshot: RoomSnapshot, syncedPeers: number): FirstContact | null {
  if (syncedPeers > 0) return 'synced';
  const phase = snapshot.signaling.phase;
  if (phase === 'reconnecting' || phase === 'failed') return 'offline';
  if (phase === 'connected' && snapshot.selfId !== null && snapshot.peers.length === 0) return 'empty-room';
  if (snapshot.peers.length > 0 && snapshot.peers.every((p) => p.link.phase === 'failed')) return 'links-failed';
  return null;
}

/** What `whenFirstContact` needs of a RoomSession. */
export interface FirstContactSource {
  snapshot(): RoomSnapshot;
  syncedPeers(): readonly unknown[];
  subscribe(listener: () => void): () => void;
}

export function whenFirstContact(source: FirstContactSource, clock: Clock, maxWaitMs = FIRST_CONTACT_MAX_WAIT_MS): Promise<FirstContact> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: FirstContact) => {
      if (done) return;
      done = true;
      unsubscribe();
      clock.clearTimeout(timer);
      resolve(outcome);
    };
    const check = () => {
      const outcome = firstContactOutcome(source.snapshot(), source.syncedPeers().length);
      if (outcome) finish(outcome);
    };
    const unsubscribe = source.subscribe(check);
    const timer = clock.setTimeout(() => finish('timeout'), maxWaitMs);
    check();
  });
}
