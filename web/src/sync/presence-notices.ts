/**
 * Brief "Ada joined" / "Ada left" notices. A peer joins the moment its presence (its name) first
 * arrives, and leaves when it disappears from the room or its presence is lost; each notice lives
 * NOTICE_MS. Pure over room snapshots, with an injected clock.
 */
import type { Clock } from '../net/clock.ts';
import type { PeerId } from '../net/protocol.ts';
import type { PeerView } from './room-status.ts';

export const NOTICE_MS = 8_000;
export const MAX_NOTICES = 5;

export interface PresenceNotice {
  readonly id: number;
  readonly kind: 'joined' | 'left';
  readonly name: string;
  readonly peer: PeerId;
}

/** Peers that are here, by name: present in the room with fresh presence. */
export function herePeers(peers: readonly PeerView[]): Map<PeerId, string> {
  const here = new Map<PeerId, string>();
  for (const peer of peers) if (peer.presence && !peer.presence.lost) here.set(peer.id, peer.presence.name);
  return here;
}

export class PresenceNotices {
  private here = new Map<PeerId, string>();
  private items: Array<PresenceNotice & { readonly until: number }> = [];
  private nextId = 1;
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly changed: () => void,
  ) {}

  /** Feed every snapshot; notices for whoever came or went since the last one. */
  update(peers: readonly PeerView[]): void {
    const now = this.here;
    const next = herePeers(peers);
    const added: PresenceNotice[] = [];
    for (const [peer, name] of next) if (!now.has(peer)) added.push({ id: this.nextId++, kind: 'joined', name, peer });
    for (const [peer, name] of now) if (!next.has(peer)) added.push({ id: this.nextId++, kind: 'left', name, peer });
    this.here = next;
    if (added.length === 0) return;
    const until = this.clock.now() + NOTICE_MS;
    this.items = [...this.items, ...added.map((n) => ({ ...n, until }))].slice(-MAX_NOTICES);
    this.schedule();
    this.changed();
  }

  current(): PresenceNotice[] {
    return this.items.map(({ until: _until, ...notice }) => notice);
  }

  destroy(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const first = this.items[0];
    if (!first) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      const now = this.clock.now();
      this.items = this.items.filter((n) => n.until > now);
      this.schedule();
      this.changed();
    }, Math.max(0, first.until - this.clock.now()));
  }
}
