import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import { FrameAssembler, encodeFrames } from '../net/frame-codec.ts';
import type { MeshEvents } from '../net/mesh.ts';
import { FakeClock } from '../test-support/fake-clock.ts';
import { CodeSyncProvider, SYNC_ANSWER_TIMEOUT_MS, SYNC_MAX_ASKS, type SyncTransport } from './code-sync-provider.ts';
import { encodeSyncMessage } from './sync-messages.ts';

/**
 * An in-memory mesh: messages go through the real framing and are delivered when the test
 * calls flush(), so we can hold peers apart, let them edit, and reconnect them.
 */
class FakeMesh extends Emitter<MeshEvents> implements SyncTransport {
  readonly dropped: Array<{ peer: string; detail: string }> = [];
  readonly outbox: Array<{ to: string; data: Uint8Array; frames: Uint8Array[] }> = [];
  readonly links = new Map<string, FakeMesh>();
  constructor(readonly id: string) {
    super();
  }
  send(peer: string, label: ChannelLabel, data: Uint8Array): void {
    if (label === 'code-sync' && this.links.has(peer)) this.outbox.push({ to: peer, data, frames: encodeFrames(data) });
  }
  openPeers(): string[] {
    return [...this.links.keys()];
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

/** A sync message's type: 0 = step 1 (state vector), 1 = step 2 (answer), 2 = update. */
const typeOf = (data: Uint8Array) => data[0];

/**
 * Delivers every queued message (and the replies they cause) until the network is quiet;
 * messages for which `lose` says true vanish on the way.
 */
function flush(meshes: FakeMesh[], lose: (from: string, data: Uint8Array) => boolean = () => false): void {
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const from of meshes) {
      const batch = from.outbox.splice(0);
      for (const { to, data, frames } of batch) {
        const target = from.links.get(to);
        if (!target || lose(from.id, data)) continue;
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

function peer(id: string, clock = new FakeClock()) {
  const doc = new Y.Doc();
  const mesh = new FakeMesh(id);
  const unanswered: Array<[string, number, number]> = [];
  const provider = new CodeSyncProvider(doc, mesh, { clock, onUnanswered: (...args) => unanswered.push(args) });
  return { doc, mesh, provider, clock, unanswered, text: doc.getText('code') };
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

  it('asks again when its state vector gets no answer, and then converges', () => {
    const clock = new FakeClock();
    const a = peer('a', clock);
    const b = peer('b', clock);
    a.text.insert(0, 'from a;');
    b.text.insert(0, 'from b;');
    connect(a.mesh, b.mesh);
    let lost = 0;
    flush([a.mesh, b.mesh], (from, data) => from === 'b' && typeOf(data) === 1 && lost++ === 0);
    expect(lost).toBe(1);
    expect(a.text.toString()).toBe('from a;');
    expect(a.provider.isSyncedWith('b')).toBe(false);
    expect(b.provider.isSyncedWith('a')).toBe(true);
    clock.advance(SYNC_ANSWER_TIMEOUT_MS - 1);
    expect(a.mesh.outbox).toEqual([]);
    clock.advance(1);
    expect(a.unanswered).toEqual([['b', 2, SYNC_ANSWER_TIMEOUT_MS]]);
    flush([a.mesh, b.mesh]);
    expect(a.text.toString()).toBe(b.text.toString());
    expect(a.text.toString()).toContain('from b;');
    expect(a.provider.isSyncedWith('b')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('asks at most SYNC_MAX_ASKS times, twice as long apart each time, and not once the link is gone', () => {
    const clock = new FakeClock();
    const a = peer('a', clock);
    const b = peer('b', clock);
    connect(a.mesh, b.mesh);
    const asksAt: number[] = [];
    for (let t = 0; t <= 20 * SYNC_ANSWER_TIMEOUT_MS; t += 1_000) {
      for (const { data } of a.mesh.outbox.splice(0)) if (typeOf(data) === 0) asksAt.push(clock.now());
      b.mesh.outbox.length = 0; // b's answers never arrive
      clock.advance(1_000);
    }
    const t = SYNC_ANSWER_TIMEOUT_MS;
    expect(asksAt).toEqual([0, t, 3 * t, 7 * t].slice(0, SYNC_MAX_ASKS));
    expect(clock.pending).toBe(0);

    const c = peer('c', clock);
    connect(a.mesh, c.mesh);
    disconnect(a.mesh, c.mesh);
    a.mesh.outbox.length = 0;
    clock.advance(10 * t);
    expect(a.mesh.outbox).toEqual([]);
    expect(a.unanswered.filter(([p]) => p === 'c')).toEqual([]);
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
