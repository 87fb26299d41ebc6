/**
 * Presence over the `presence` channel: who is here, under which name and colour, and whether
 * they are active, idle (no input for IDLE_AFTER_MS) or away (page hidden). Soft state: sent when
 * a link opens and on every change, refreshed every PRESENCE_REFRESH_MS; a peer not heard from
 * for PRESENCE_LOST_MS shows as lost, and after PRESENCE_REMOVE_MS it is forgotten. Names are
 * untrusted: length-capped here, rendered as text by the UI.
 */
import * as v from 'valibot';
import { decodeJsonMessage, encodeJsonMessage } from '../net/json-message.ts';
import type { Clock } from '../net/clock.ts';
import { systemClock } from '../net/clock.ts';
import type { Mesh } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';

export const PRESENCE_VERSION = 1;
export const IDLE_AFTER_MS = 60_000;
export const PRESENCE_REFRESH_MS = 15_000;
export const PRESENCE_LOST_MS = 45_000;
export const PRESENCE_REMOVE_MS = 120_000;
export const MAX_NAME_LENGTH = 40;

export type PresenceStatus = 'active' | 'idle' | 'away';

const PresenceSchema = v.object({
  v: v.literal(PRESENCE_VERSION),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH)),
  color: v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/)),
  status: v.picklist(['active', 'idle', 'away']),
  /** The sender's Yjs client id: ties its cursor frames to it. */
  client: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1)),
  /** Present when the sender is the room's AI peer: it answers Ask AI requests with this model. */
  ai: v.optional(v.object({ model: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) })),
});
export type PresenceState = v.InferOutput<typeof PresenceSchema>;

export interface PeerPresence extends PresenceState {
  readonly peer: PeerId;
  readonly lastHeard: number;
  readonly lost: boolean;
}

export function encodePresence(message: PresenceState): Uint8Array {
  return encodeJsonMessage(message);
}

export function decodePresence(bytes: Uint8Array): PresenceState | null {
  return decodeJsonMessage(PresenceSchema, bytes);
}

/** Collapses whitespace and caps the length; returns null for an empty name. */
export function cleanName(raw: string): string | null {
  const name = raw.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH);
  return name === '' ? null : name;
}

const PALETTE = ['#e11d48', '#d97706', '#16a34a', '#0891b2', '#2563eb', '#7c3aed', '#c026d3', '#ea580c'] as const;

/** A stable colour for an id (the same peer gets the same colour everywhere). */
export function colorFor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export type PresenceTransport = Pick<Mesh, 'on' | 'send' | 'broadcast' | 'dropPeer'>;

export class PresenceProvider {
  private local: PresenceState;
  private readonly peers = new Map<PeerId, PeerPresence>();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void>;
  private timer: unknown;

  constructor(
    private readonly mesh: PresenceTransport,
    initial: Omit<PresenceState, 'v'>,
    private readonly clock: Clock = systemClock,
  ) {
    this.local = { v: PRESENCE_VERSION, ...initial };
    this.unsubscribe = [
      mesh.on('peer-open', (peer) => this.mesh.send(peer, 'presence', encodePresence(this.local))),
      mesh.on('message', ({ peer, label, data }) => {
        if (label === 'presence') this.onMessage(peer, data);
      }),
    ];
    this.timer = clock.setTimeout(() => this.tick(), PRESENCE_REFRESH_MS);
  }

  get self(): PresenceState {
    return this.local;
  }

  peer(peer: PeerId): PeerPresence | undefined {
    return this.peers.get(peer);
  }

  all(): PeerPresence[] {
    return [...this.peers.values()];
  }

  /** Changes our name, colour or status and tells every peer at once. */
  update(change: Partial<Omit<PresenceState, 'v' | 'client'>>): void {
    const next = { ...this.local, ...change };
    if (next.name === this.local.name && next.color === this.local.color && next.status === this.local.status) return;
    this.local = next;
    this.mesh.broadcast('presence', encodePresence(this.local));
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.clock.clearTimeout(this.timer);
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
  }

  private onMessage(peer: PeerId, data: Uint8Array): void {
    const state = decodePresence(data);
    if (!state) {
      this.mesh.dropPeer(peer, 'presence: malformed message');
      return;
    }
    this.peers.set(peer, { ...state, peer, lastHeard: this.clock.now(), lost: false });
    this.notify();
  }

  private tick(): void {
    const now = this.clock.now();
    let changed = false;
    for (const [peer, state] of this.peers) {
      const silent = now - state.lastHeard;
      if (silent >= PRESENCE_REMOVE_MS) {
        this.peers.delete(peer);
        changed = true;
      } else if (silent >= PRESENCE_LOST_MS && !state.lost) {
        this.peers.set(peer, { ...state, lost: true });
        changed = true;
      }
    }
    this.mesh.broadcast('presence', encodePresence(this.local));
    if (changed) this.notify();
    this.timer = this.clock.setTimeout(() => this.tick(), PRESENCE_REFRESH_MS);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
