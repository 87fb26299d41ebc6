/**
 * Counts the application frames a mesh sends and receives, per channel, and can watch them for a
 * byte string (e2e: a caret move sends cursor-pos frames and no code-sync frame; the API key is
 * in no frame). It wraps the instance's `send`/`broadcast`, which every provider calls through
 * the mesh at call time; a broadcast counts once. Diagnostics only: installed by the debug hook.
 */
import type { ChannelLabel } from './channels.ts';
import type { Mesh } from './mesh.ts';
import type { PeerId } from './protocol.ts';

export type FrameDirection = 'sent' | 'received';
export type FrameCounts = Record<FrameDirection, Partial<Record<ChannelLabel, number>>>;
export type FrameListener = (direction: FrameDirection, label: ChannelLabel, data: Uint8Array) => void;

type Tappable = Pick<Mesh, 'send' | 'broadcast' | 'on'>;

/** Whether `needle` occurs in `haystack` (naive search: frames are small). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export class FrameTap {
  private counts: FrameCounts = { sent: {}, received: {} };
  private readonly needles: Uint8Array[] = [];
  private matches = 0;
  private readonly listeners = new Set<FrameListener>();
  private readonly restore: () => void;

  constructor(mesh: Tappable) {
    const send = mesh.send;
    const broadcast = mesh.broadcast;
    mesh.send = (peer: PeerId, label: ChannelLabel, data: Uint8Array) => {
      this.record('sent', label, data);
      send.call(mesh, peer, label, data);
    };
    mesh.broadcast = (label: ChannelLabel, data: Uint8Array) => {
      this.record('sent', label, data);
      broadcast.call(mesh, label, data);
    };
    const off = mesh.on('message', ({ label, data }) => this.record('received', label, data));
    this.restore = () => {
      mesh.send = send;
      mesh.broadcast = broadcast;
      off();
    };
  }

  frameCounts(): FrameCounts {
    return { sent: { ...this.counts.sent }, received: { ...this.counts.received } };
  }

  reset(): void {
    this.counts = { sent: {}, received: {} };
    this.matches = 0;
  }

  /** From now on, count every frame (either direction) that contains `text` as UTF-8. */
  watchFor(text: string): void {
    this.needles.push(new TextEncoder().encode(text));
  }

  /** Frames seen containing a watched text. */
  get watchedHits(): number {
    return this.matches;
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.restore();
    this.listeners.clear();
  }

  private record(direction: FrameDirection, label: ChannelLabel, data: Uint8Array): void {
    const bucket = this.counts[direction];
    bucket[label] = (bucket[label] ?? 0) + 1;
    if (this.needles.some((needle) => containsBytes(data, needle))) this.matches++;
    for (const listener of this.listeners) listener(direction, label, data);
  }
}
