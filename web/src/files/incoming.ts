/** A transfer on the receiving side, as FileReceiver creates and keeps it and incoming-records.ts stores it. */
import type { PeerId } from '../net/protocol.ts';
import type { BlockMap } from './block-map.ts';
import { blockLength, type Manifest } from './manifest.ts';
import { RateMeter } from './rate-meter.ts';

export type IncomingStatus = 'offered' | 'receiving' | 'verifying' | 'verified' | 'paused' | 'declined' | 'cancelled' | 'failed';

export interface Incoming {
  readonly key: string;
  id: string;
  peer: PeerId;
  fromName: string;
  readonly manifest: Manifest;
  status: IncomingStatus;
  have: BlockMap;
  /** The block being filled by the current (or a dropped) session; survives a reconnect, not a reload. */
  filling: { block: number; data: Uint8Array; offset: number } | null;
  session: number | null;
  /** Blocks the current session may still start. */
  expected: Set<number>;
  /** Flow control of the current session: blocks the sender may start in total (granted), and started. */
  upTo: number;
  started: number;
  /** Chunk bytes received in the current session (sent in acks: when a chunk asks, or the sender does). */
  sessionBytes: number;
  readonly failures: Map<number, number>;
  /**
   * Completed blocks being checked and stored. They run concurrently (one OPFS file each): a
   * block's write waits mostly on the browser's file I/O, and one at a time fell behind the link.
   */
  readonly stores: Set<Promise<void>>;
  /** Blocks complete in memory, being stored. */
  readonly pending: Set<number>;
  bytesDone: number;
  readonly rate: RateMeter;
  error: string | null;
  /** The record write under way (writes are coalesced: at most one at a time, then the latest state). */
  persisting: Promise<void> | null;
  persistAgain: boolean;
  /** When the offer arrived (kept with an unanswered offer's record). */
  readonly offeredAt: number;
}

/** Transfers are keyed by sender and offer id (ids are the sender's). */
export function keyOf(peer: PeerId, id: string): string {
  return `${peer}/${id}`;
}

/** A transfer as first seen (an offer) or restored (a record): no session yet, `have` held. */
export function newIncoming(peer: PeerId, id: string, fromName: string, manifest: Manifest, status: IncomingStatus, have: BlockMap, offeredAt: number): Incoming {
  const held = have.missing().reduce((sum, b) => sum - blockLength(manifest.size, b), manifest.size);
  return {
    key: keyOf(peer, id),
    id,
    peer,
    fromName,
    manifest,
    status,
    have,
    filling: null,
    session: null,
    expected: new Set(),
    upTo: 0,
    started: 0,
    sessionBytes: 0,
    failures: new Map(),
    stores: new Set(),
    pending: new Set(),
    bytesDone: held,
    rate: new RateMeter(),
    error: null,
    persisting: null,
    persistAgain: false,
    offeredAt,
  };
}
