import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import { FrameAssembler, encodeFrames } from '../net/frame-codec.ts';
import type { MeshEvents } from '../net/mesh.ts';
import { CodeSyncProvider, type SyncTransport } from './code-sync-provider.ts';
import { encodeSyncMessage } from './sync-messages.ts';

/**
 * An in-memory mesh: messages go through the real framing and are delivered when the test
 * calls flush(), so we can hold peers apart, let them edit, and reconnect them.
 */
class FakeMesh extends Emitter<MeshEvents> implements SyncTransport {
  readonly dropped: Array<{ peer: string; detail: string }> = [];
  readonly outbox: Array<{ to: string; frames: Uint8Array[] }> = [];
  readonly links = new Map<string, FakeMesh>();
  constructor(readonly id: string) {
    super();
  }
  send(peer: string, label: ChannelLabel, data: Uint8Array): void {
    if (label === 'code-sync' && this.links.has(peer)) this.outbox.push({ to: peer, frames: encodeFrames(data) });
  }
  broadcast(label: ChannelLabel, data: Uint8Array): void {
    for (const peer of this.links.keys()) this.send(peer, label, data);
  }
  dropPeer(peer: string, detail: string): void {
    this.dropped.push({ peer, detail });
    this.links.delete(peer);
  }
  deliver(from: string, data: Uint8Array): void {
    this.emit('message', { peer: from, label: 'code-sync', data });
  }
  open(peer: string): void {
    this.emit('peer-open', peer);
  }
}

function connect(a: FakeMesh, b: FakeMesh): void {
  a.links.set(b.id, b);
  b.links.set(a.id, a);
  a.open(b.id);
  b.open(a.id);
}

function disconnect(a: FakeMesh, b: FakeMesh): void {
  a.links.delete(b.id);
  b.links.delete(a.id);
}

/** Delivers every queued message (and the replies they cause) until the network is quiet. */
function flush(meshes: FakeMesh[]): void {
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const from of meshes) {
      const batch = from.outbox.splice(0);
      for (const { to, frames } of batch) {
        const target = from.links.get(to);
        if (!target) continue;
        const assembler = new FrameAssembler(64 << 20, true);
        for (const frame of frames) {
          const message = assembler.push(frame);
          if (message) target.deliver(from.id, message);
        }
        moved = true;
      }
    }
    if (!moved) return;
  }
  throw new Error('network did not settle');
}

function peer(id: string) {
  const doc = new Y.Doc();
  const mesh = new FakeMesh(id);
  const provider = new CodeSyncProvider(doc, mesh);
  return { doc, mesh, provider, text: doc.getText('code') };
}

describe('CodeSyncProvider', () => {
  it('syncs the whole document to a peer that opens later, then incremental edits both ways', () => {
    const a = peer('a');
    const b = peer('b');
    a.text.insert(0, 'hello world');
    connect(a.mesh, b.mesh);
    flush([a.mesh, b.mesh]);
    expect(b.text.toString()).toBe('hello world');
    b.text.insert(5, ',');
    a.text.insert(0, '> ');
    flush([a.mesh, b.mesh]);
    expect(a.text.toString()).toBe('> hello, world');
    expect(b.text.toString()).toBe('> hello, world');
  });

  it('converges in both directions after edits made while apart', () => {
    const a = peer('a');
    const b = peer('b');
    connect(a.mesh, b.mesh);
    a.text.insert(0, 'shared\n');
    flush([a.mesh, b.mesh]);
    disconnect(a.mesh, b.mesh);
    for (let i = 0; i < 200; i++) {
      a.text.insert(a.text.length, `a${i}\n`);
      b.text.insert(0, `b${i}\n`);
    }
    a.text.insert(0, 'same-place-a ');
    b.text.insert(0, 'same-place-b ');
    flush([a.mesh, b.mesh]);
    expect(a.text.toString()).not.toBe(b.text.toString());
    connect(a.mesh, b.mesh);
    flush([a.mesh, b.mesh]);
    expect(a.text.toString()).toBe(b.text.toString());
    for (let i = 0; i < 200; i++) {
      expect(a.text.toString()).toContain(`a${i}\n`);
      expect(a.text.toString()).toContain(`b${i}\n`);
    }
  });

  it('delivers an update larger than 256 KiB (a big offline paste) in frames', () => {
    const a = peer('a');
    const b = peer('b');
    const paste = 'x'.repeat(400 * 1024);
    a.text.insert(0, paste);
    connect(a.mesh, b.mesh);
    flush([a.mesh, b.mesh]);
    expect(b.text.length).toBe(paste.length);
  });

  it('converges three peers in a full mesh', () => {
    const peers = [peer('a'), peer('b'), peer('c')];
    peers.forEach((p, i) => p.text.insert(0, `from-${i} `));
    connect(peers[0]!.mesh, peers[1]!.mesh);
    connect(peers[1]!.mesh, peers[2]!.mesh);
    connect(peers[0]!.mesh, peers[2]!.mesh);
    flush(peers.map((p) => p.mesh));
    const texts = new Set(peers.map((p) => p.text.toString()));
    expect(texts.size).toBe(1);
  });

  it.each([
    ['an unknown message type', Uint8Array.of(7, 0)],
    ['a truncated message', Uint8Array.of(2, 50, 1)],
    ['trailing bytes', Uint8Array.of(0, 0, 9)],
    ['a garbage Yjs update', encodeSyncMessage({ kind: 'update', update: Uint8Array.of(200, 1, 2, 3, 4, 5) })],
    ['a garbage state vector', encodeSyncMessage({ kind: 'step1', stateVector: Uint8Array.of(255, 255, 255, 255, 255) })],
  ])('drops a peer that sends %s, keeping the document intact', (_name, message) => {
    const a = peer('a');
    a.text.insert(0, 'keep me');
    a.mesh.links.set('evil', a.mesh);
    a.mesh.deliver('evil', message);
    expect(a.mesh.dropped).toEqual([{ peer: 'evil', detail: expect.stringMatching(/^code-sync: /) }]);
    expect(a.text.toString()).toBe('keep me');
  });

  it('stops listening after destroy', () => {
    const a = peer('a');
    const b = peer('b');
    connect(a.mesh, b.mesh);
    flush([a.mesh, b.mesh]);
    b.provider.destroy();
    a.text.insert(0, 'late');
    flush([a.mesh, b.mesh]);
    expect(b.text.toString()).toBe('');
  });
});
