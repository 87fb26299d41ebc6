/** What the sending and receiving sides need from the room, handed in by FilesRoom. */
import type { OutgoingMessage } from '../net/frame-codec.ts';
import type { PeerId } from '../net/protocol.ts';

export interface FilesContext {
  send(peer: PeerId, message: OutgoingMessage): void;
  /** Bytes queued by our scheduler for `peer` on the files channel. */
  queuedBytes(peer: PeerId): number;
  isOpen(peer: PeerId): boolean;
  /** The link to `peer` carried typing or cursor frames just now (files then keep out of their way). */
  interactive(peer: PeerId): boolean;
  dropPeer(peer: PeerId, detail: string): void;
  selfName(): string;
  now(): number;
  /** A status changed: tell the UI now. */
  changed(): void;
  /** Bytes moved: tell the UI soon (throttled). */
  progressed(): void;
}
