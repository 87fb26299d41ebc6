/**
 * When a room page should evaluate its UI (CodeMirror, ~0.4 MB of code, ~100 ms of main thread
 * on a slow machine): once the first peer's text has arrived (the loading placeholder shows it
 * meanwhile, ui/boot-preview.ts), or once the handshake has had FIRST_CONTACT_MAX_WAIT_MS.
 * Every handshake step (welcome, offer, answer, ICE, the channels' open events, the sync round
 * trip) waits for the main thread, and evaluating and mounting the UI meanwhile delays them by
 * as long (see docs/networking.md "Joining" for the measurements); a slow handshake (a real
 * network, a relay) should not leave the page without an editor, so the wait is short. Settled
 * when any of:
 *  - a peer has synced with us (its text is in the document);
 *  - we joined an empty room (nobody to connect to);
 *  - signaling is down (offline: show the stored document at once);
 *  - every known peer's link has failed, or `maxWaitMs` passed.
 */
import type { Clock } from '../net/clock.ts';
import type { RoomSnapshot } from './room-status.ts';

/** Longest the UI waits for first contact; a slower handshake shows the editor meanwhile. */
export const FIRST_CONTACT_MAX_WAIT_MS = 300;

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
