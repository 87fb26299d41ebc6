import { describe, expect, it } from 'vitest';
import type { ChannelLabel } from './channels.ts';
import { Emitter } from './emitter.ts';
import type { MeshEvents } from './mesh.ts';
import { FrameTap, containsBytes } from './frame-tap.ts';

class FakeMesh extends Emitter<MeshEvents> {
  readonly out: string[] = [];
  send(peer: string, label: ChannelLabel, _data: Uint8Array): void {
    this.out.push(`${peer}:${label}`);
  }
  broadcast(label: ChannelLabel, _data: Uint8Array): void {
    this.out.push(`*:${label}`);
  }
  deliver(peer: string, label: ChannelLabel, data: Uint8Array): void {
    this.emit('message', { peer, label, data });
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('FrameTap', () => {
  it('counts frames per channel and direction, passes them through, and finds watched text', () => {
    const mesh = new FakeMesh();
    let clock = 100;
    const tap = new FrameTap(mesh, () => clock++);
    const seen: string[] = [];
    tap.onFrame((direction, label, _data, at) => seen.push(`${direction}:${label}@${at}`));
    // A received frame is reported after the app's own handlers, stamped with its arrival.
    const handledBefore: number[] = [];
    mesh.on('message', () => handledBefore.push(seen.length));
    tap.watchFor('sk-secret');
    mesh.broadcast('cursor-pos', bytes('x'));
    mesh.send('p1', 'cursor-pos', bytes('y'));
    mesh.send('p1', 'ai-stream', bytes('{"k":"sk-secret"}'));
    mesh.deliver('p2', 'code-sync', bytes('sk-secre'));
    expect(mesh.out).toEqual(['*:cursor-pos', 'p1:cursor-pos', 'p1:ai-stream']);
    expect(tap.frameCounts()).toEqual({ sent: { 'cursor-pos': 2, 'ai-stream': 1 }, received: { 'code-sync': 1 } });
    expect(tap.watchedHits).toBe(1);
    expect(seen).toEqual(['sent:cursor-pos@100', 'sent:cursor-pos@101', 'sent:ai-stream@102', 'received:code-sync@103']);
    expect(handledBefore).toEqual([3]);
    tap.reset();
    expect(tap.frameCounts()).toEqual({ sent: {}, received: {} });
    tap.destroy();
    mesh.broadcast('presence', bytes('z'));
    expect(tap.frameCounts()).toEqual({ sent: {}, received: {} });
    expect(mesh.out.at(-1)).toBe('*:presence');
  });

  it('searches bytes at every offset', () => {
    expect(containsBytes(bytes('abcabd'), bytes('abd'))).toBe(true);
    expect(containsBytes(bytes('abcab'), bytes('abd'))).toBe(false);
    expect(containsBytes(bytes('ab'), bytes('abc'))).toBe(false);
    expect(containsBytes(bytes(''), bytes(''))).toBe(true);
  });
});
