/**
 * Live cursors over the lossy, unordered `cursor-pos` channel: our caret and selection (as Yjs
 * relative positions, so they stay on the right character while others type) at most every
 * CURSOR_MIN_INTERVAL_MS, with a trailing frame so the last position always goes out; remote
 * frames older than one already applied are dropped. Remote cursors are written into the
 * CursorAwareness that y-codemirror.next renders, with the sender's name and colour.
 */
import * as Y from 'yjs';
import type { Clock } from '../net/clock.ts';
import { systemClock } from '../net/clock.ts';
import type { PeerId } from '../net/protocol.ts';
import type { CursorAwareness, CursorUser } from './cursor-awareness.ts';
import { CursorFrameError, StaleFrameFilter, decodeCursorFrame, encodeCursorFrame, type CursorFrame } from './cursor-codec.ts';
import type { PresenceProvider, PresenceTransport } from './presence.ts';

/** ≈ 30 frames a second per peer at most. */
export const CURSOR_MIN_INTERVAL_MS = 33;

export class CursorProvider {
  private seq = 0;
  private lastSentAt = -Infinity;
  private trailing: unknown = null;
  private readonly stale = new StaleFrameFilter();
  /** Remote peer → the Yjs client id its frames carry. */
  private readonly clients = new Map<PeerId, number>();
  /** Peers whose presence we have seen: once it is gone or lost, so is their cursor. */
  private readonly seenPresence = new Set<PeerId>();
  private readonly unsubscribe: Array<() => void>;
  framesSent = 0;

  constructor(
    private readonly doc: Y.Doc,
    private readonly awareness: CursorAwareness,
    private readonly mesh: PresenceTransport,
    private readonly presence: PresenceProvider,
    private readonly clock: Clock = systemClock,
  ) {
    const onAwareness = (_change: unknown, origin: unknown) => {
      if (origin === 'local') this.scheduleSend();
    };
    awareness.on('change', onAwareness);
    this.unsubscribe = [
      () => awareness.off('change', onAwareness),
      mesh.on('peer-open', (peer) => this.mesh.send(peer, 'cursor-pos', encodeCursorFrame(this.localFrame()))),
      mesh.on('message', ({ peer, label, data }) => {
        if (label === 'cursor-pos') this.onFrame(peer, data);
      }),
      presence.subscribe(() => this.refreshUsers()),
    ];
  }

  destroy(): void {
    if (this.trailing !== null) this.clock.clearTimeout(this.trailing);
    for (const off of this.unsubscribe) off();
  }

  private scheduleSend(): void {
    const now = this.clock.now();
    const wait = this.lastSentAt + CURSOR_MIN_INTERVAL_MS - now;
    if (wait <= 0) {
      this.send();
      return;
    }
    if (this.trailing !== null) return;
    this.trailing = this.clock.setTimeout(() => {
      this.trailing = null;
      this.send();
    }, wait);
  }

  private send(): void {
    this.lastSentAt = this.clock.now();
    this.framesSent++;
    this.mesh.broadcast('cursor-pos', encodeCursorFrame(this.localFrame()));
  }

  private localFrame(): CursorFrame {
    const cursor = this.awareness.getLocalState()?.cursor;
    this.seq++;
    if (!cursor || cursor.anchor == null || cursor.head == null) return { seq: this.seq, client: this.doc.clientID, selection: null };
    // y-codemirror.next stores RelativePosition objects; JSON (from elsewhere) is accepted too.
    const encode = (pos: unknown) =>
      Y.encodeRelativePosition(pos instanceof Y.RelativePosition ? pos : Y.createRelativePositionFromJSON(pos));
    return { seq: this.seq, client: this.doc.clientID, selection: { anchor: encode(cursor.anchor), head: encode(cursor.head) } };
  }

  private onFrame(peer: PeerId, data: Uint8Array): void {
    let frame: CursorFrame;
    let cursor: { anchor: unknown; head: unknown } | null = null;
    try {
      frame = decodeCursorFrame(data);
      if (frame.selection) {
        // RelativePosition objects, as y-codemirror.next reads them (all fields present, nulls included).
        cursor = {
          anchor: Y.decodeRelativePosition(frame.selection.anchor),
          head: Y.decodeRelativePosition(frame.selection.head),
        };
      }
    } catch (error) {
      const detail = error instanceof CursorFrameError ? error.message : `bad relative position: ${String(error)}`;
      this.mesh.dropPeer(peer, `cursor-pos: ${detail}`);
      return;
    }
    if (!this.stale.accept(peer, frame.seq)) return;
    const previous = this.clients.get(peer);
    if (previous !== undefined && previous !== frame.client) this.awareness.removeRemoteState(previous);
    this.clients.set(peer, frame.client);
    this.awareness.setRemoteState(frame.client, { user: this.userOf(peer), cursor });
  }

  private userOf(peer: PeerId): CursorUser {
    const presence = this.presence.peer(peer);
    const name = presence?.name ?? peer.slice(0, 8);
    const color = presence?.color ?? '#64748b';
    return { name, color, colorLight: `${color}33` };
  }

  private refreshUsers(): void {
    for (const [peer, client] of this.clients) {
      const presence = this.presence.peer(peer);
      if (presence) this.seenPresence.add(peer);
      const state = this.awareness.getStates().get(client);
      if (presence?.lost || (!presence && this.seenPresence.has(peer))) {
        this.seenPresence.delete(peer);
        this.awareness.removeRemoteState(client);
        this.clients.delete(peer);
        this.stale.forget(peer);
      } else if (presence && state && (state.user?.name !== presence.name || state.user?.color !== presence.color)) {
        this.awareness.setRemoteState(client, { ...state, user: this.userOf(peer) });
      }
    }
  }
}
