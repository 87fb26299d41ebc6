/**
 * Counts the application frames a mesh sends and receives, per channel, and can watch them for a
 * byte string (e2e: a caret move sends cursor-pos frames and no code-sync frame; the API key is
 * in no frame). It wraps the instance's `send`/`broadcast`, which every provider calls through
 * the mesh at call time (a broadcast counts once), and its `emit` of received messages, so a
 * listener learns when a frame arrived (before the app handled it) and runs after the app has
 * handled it (the cursor bench times arrival → rendered so). Diagnostics only: installed by the
 * debug hook.
 */
import type { ChannelLabel } from './channels.ts';
import type { Mesh } from './mesh.ts';
import type { PeerId } from './protocol.ts';

export type FrameDirection = 'sent' | 'received';
export type FrameCounts = Record<FrameDirection, Partial<Record<ChannelLabel, number>>>;
/** `at`: when the frame was sent, or arrived (before any handler ran); ms since the epoch, sub-ms. */
export type FrameListener = (direction: FrameDirection, label: ChannelLabel, data: Uint8Array, at: number) => void;

type Tappable = Pick<Mesh, 'send' | 'broadcast'>;
type Emitting = { emit(event: string, payload: unknown): void };

const wallClock = (): number => performance.timeOrigin + performance.now();

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

  constructor(
    mesh: Tappable,
    private readonly now: () => number = wallClock,
  ) {
    const send = mesh.send;
    const broadcast = mesh.broadcast;
    // Emitter.emit is protected: the tap is the one place that reaches past that, on purpose.
    const emitting = mesh as unknown as Emitting;
    const emit = emitting.emit;
    mesh.send = (peer: PeerId, label: ChannelLabel, data: Uint8Array) => {
      this.record('sent', label, data, this.now());
      send.call(mesh, peer, label, data);
    };
    mesh.broadcast = (label: ChannelLabel, data: Uint8Array) => {
      this.record('sent', label, data, this.now());
      broadcast.call(mesh, label, data);
    };
    emitting.emit = (event: string, payload: unknown) => {
      if (event !== 'message') return emit.call(mesh, event, payload);
      const at = this.now();
      emit.call(mesh, event, payload);
      const { label, data } = payload as { label: ChannelLabel; data: Uint8Array };
      this.record('received', label, data, at);
    };
    this.restore = () => {
      mesh.send = send;
      mesh.broadcast = broadcast;
      emitting.emit = emit;
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

  private record(direction: FrameDirection, label: ChannelLabel, data: Uint8Array, at: number): void {
    const bucket = this.counts[direction];
    bucket[label] = (bucket[label] ?? 0) + 1;
    if (this.needles.some((needle) => containsBytes(data, needle))) this.matches++;
    for (const listener of this.listeners) listener(direction, label, data, at);
  }
}
