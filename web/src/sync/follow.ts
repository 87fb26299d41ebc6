/**
 * Following a peer: whose cursor our view tracks (a peer, or whoever is the driver), where that
 * cursor is in our copy of the document, and what the driver controls allow. Pure functions over
 * the room's state; the UI (web/src/ui/follow-controller.ts) scrolls the editor and stops
 * following when we type or click in it.
 */
import * as Y from 'yjs';
import type { PeerId } from '../net/protocol.ts';
import type { AwarenessState } from './cursor-awareness.ts';
import type { Driver } from './driver-role.ts';
import type { PeerPresence } from './presence.ts';

export type FollowTarget = { readonly kind: 'peer'; readonly peer: PeerId } | { readonly kind: 'driver' };

/** The peer whose cursor we track now; null when not following, or when the driver is us or none. */
export function followedPeer(target: FollowTarget | null, driver: Driver | null, self: PeerId | null): PeerId | null {
  if (!target) return null;
  const peer = target.kind === 'peer' ? target.peer : (driver?.peer ?? null);
  return peer === self ? null : peer;
}

/** A peer counts as here for the driver role while its presence is fresh and its page not hidden. */
export function isHereAndActive(presence: PeerPresence | null | undefined): boolean {
  return !!presence && !presence.lost && presence.status !== 'away';
}

export interface DriverControls {
  /** We are the driver: we may hand the role to another peer (Make driver). */
  readonly isDriver: boolean;
  /** No driver, or the driver has left or is away: we may Take over. */
  readonly canTakeOver: boolean;
}

export function driverControls(driver: Driver | null, self: PeerId | null, presenceOf: (peer: PeerId) => PeerPresence | null): DriverControls {
  if (self === null) return { isDriver: false, canTakeOver: false };
  const isDriver = driver?.peer === self;
  return { isDriver, canTakeOver: !isDriver && (driver === null || !isHereAndActive(presenceOf(driver.peer))) };
}

/**
 * Where a remote cursor's head is in our document (index into the text), or null when it has no
 * cursor or its position refers to content we do not have yet.
 */
export function cursorHeadIndex(doc: Y.Doc, state: AwarenessState | undefined): number | null {
  const head = state?.cursor?.head;
  if (!(head instanceof Y.RelativePosition)) return null;
  return Y.createAbsolutePositionFromRelativePosition(head, doc)?.index ?? null;
}
