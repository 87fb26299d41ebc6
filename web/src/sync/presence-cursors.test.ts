import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import type { MeshEvents } from '../net/mesh.ts';
import { FakeClock } from '../test-support/fake-clock.ts';
import { CursorAwareness } from './cursor-awareness.ts';
import { CursorFrameError, StaleFrameFilter, decodeCursorFrame, encodeCursorFrame } from './cursor-codec.ts';
import { CURSOR_MIN_INTERVAL_MS, CursorProvider } from './cursors.ts';
import {
  PRESENCE_LOST_MS,
  PRESENCE_REFRESH_MS,
  PRESENCE_REMOVE_MS,
  PresenceProvider,
  cleanName,
  colorFor,
  decodePresence,
  encodePresence,
  type PresenceTransport,
} from './presence.ts';

class Wire extends Emitter<MeshEvents> implements PresenceTransport {
  readonly sent: Array<{ to: string | '*'; label: ChannelLabel; data: Uint8Array }> = [];
  readonly dropped: string[] = [];
  send(to: string, label: ChannelLabel, data: Uint8Array): void {
    this.sent.push({ to, label, data });
  }
  broadcast(label: ChannelLabel, data: Uint8Array): void {
    this.sent.push({ to: '*', label, data });
  }
  dropPeer(peer: string, detail: string): void {
    this.dropped.push(`${peer}: ${detail}`);
  }
  deliver(peer: string, label: ChannelLabel, data: Uint8Array): void {
    this.emit('message', { peer, label, data });
  }
  open(peer: string): void {
    this.emit('peer-open', peer);
  }
}

const ME = { name: 'Ada', color: '#2563eb', status: 'active' as const, client: 1 };

describe('presence', () => {
  it('round-trips and rejects bad messages', () => {
    const state = { v: 1 as const, ...ME };
    expect(decodePresence(encodePresence(state))).toEqual(state);
    for (const bad of [
      '{',
      '{"v":2,"name":"x","color":"#000000","status":"active","client":1}',
      JSON.stringify({ v: 1, name: '', color: '#000000', status: 'active', client: 1 }),
      JSON.stringify({ v: 1, name: 'x'.repeat(41), color: '#000000', status: 'active', client: 1 }),
      JSON.stringify({ v: 1, name: 'x', color: 'red', status: 'active', client: 1 }),
      JSON.stringify({ v: 1, name: 'x', color: '#000000', status: 'sleeping', client: 1 }),
      JSON.stringify({ v: 1, name: 'x', color: '#000000', status: 'active', client: -1 }),
    ]) {
      expect(decodePresence(new TextEncoder().encode(bad))).toBeNull();
    }
    expect(decodePresence(Uint8Array.of(0xff, 0xfe))).toBeNull();
  });

  it('cleans names and gives stable colours', () => {
    expect(cleanName('  Ada   Lovelace \n')).toBe('Ada Lovelace');
    expect(cleanName('   ')).toBeNull();
    expect(cleanName('x'.repeat(100))).toHaveLength(40);
    expect(colorFor('peer-a')).toBe(colorFor('peer-a'));
    expect(colorFor('peer-a')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('announces itself to a new link and broadcasts changes', () => {
    const wire = new Wire();
    const presence = new PresenceProvider(wire, ME, new FakeClock());
    wire.open('b');
    expect(decodePresence(wire.sent[0]!.data)).toMatchObject({ name: 'Ada' });
    presence.update({ status: 'away' });
    expect(wire.sent[1]!.to).toBe('*');
    expect(decodePresence(wire.sent[1]!.data)).toMatchObject({ status: 'away' });
    presence.update({ status: 'away' });
    expect(wire.sent).toHaveLength(2);
  });

  it('marks a silent peer lost, then forgets it', () => {
    const clock = new FakeClock();
    const wire = new Wire();
    const presence = new PresenceProvider(wire, ME, clock);
    wire.deliver('b', 'presence', encodePresence({ v: 1, name: 'Bob', color: '#16a34a', status: 'active', client: 2 }));
    expect(presence.peer('b')).toMatchObject({ name: 'Bob', lost: false });
    clock.advance(PRESENCE_LOST_MS + PRESENCE_REFRESH_MS);
    expect(presence.peer('b')?.lost).toBe(true);
    clock.advance(PRESENCE_REMOVE_MS);
    expect(presence.peer('b')).toBeUndefined();
    expect(wire.sent.filter((s) => s.to === '*').length).toBeGreaterThan(5);
  });

  it('drops a peer that sends malformed presence', () => {
    const wire = new Wire();
    new PresenceProvider(wire, ME, new FakeClock());
    wire.deliver('evil', 'presence', new TextEncoder().encode('{"v":1,"name":"<img src=x>","color":"javascript:","status":"active","client":1}'));
    expect(wire.dropped).toEqual(['evil: presence: malformed message']);
  });
});

describe('cursor frames', () => {
  it('round-trips with and without a selection', () => {
    const frame = { seq: 7, client: 123456789, selection: { anchor: Uint8Array.of(1, 2), head: Uint8Array.of(3) } };
    expect(decodeCursorFrame(encodeCursorFrame(frame))).toEqual(frame);
    expect(decodeCursorFrame(encodeCursorFrame({ seq: 1, client: 5, selection: null }))).toEqual({ seq: 1, client: 5, selection: null });
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['another version', Uint8Array.of(2, 1, 1, 0)],
    ['unknown flags', Uint8Array.of(1, 1, 1, 7)],
    ['truncated selection', Uint8Array.of(1, 1, 1, 1, 5, 1)],
    ['trailing bytes', Uint8Array.of(1, 1, 1, 0, 9)],
  ])('rejects %s', (_name, bytes) => {
    expect(() => decodeCursorFrame(bytes)).toThrow(CursorFrameError);
  });

  it('drops frames older than the last applied, per sender', () => {
    const filter = new StaleFrameFilter();
    expect(filter.accept('a', 5)).toBe(true);
    expect(filter.accept('a', 4)).toBe(false);
    expect(filter.accept('a', 5)).toBe(false);
    expect(filter.accept('b', 1)).toBe(true);
    expect(filter.accept('a', 6)).toBe(true);
    filter.forget('a');
    expect(filter.accept('a', 1)).toBe(true);
  });
});

function cursorPeer(clock: FakeClock, name: string, client: number) {
  const doc = new Y.Doc();
  doc.clientID = client;
  const wire = new Wire();
  const awareness = new CursorAwareness(doc);
  const presence = new PresenceProvider(wire, { name, color: colorFor(name), status: 'active', client }, clock);
  const cursors = new CursorProvider(doc, awareness, wire, presence, clock);
  return { doc, wire, awareness, presence, cursors, text: doc.getText('code') };
}

/** As y-codemirror.next records the local selection: RelativePosition objects. */
function setLocalCursor(p: ReturnType<typeof cursorPeer>, anchor: number, head: number): void {
  p.awareness.setLocalStateField('cursor', {
    anchor: Y.createRelativePositionFromTypeIndex(p.text, anchor),
    head: Y.createRelativePositionFromTypeIndex(p.text, head),
  });
}

/** What y-codemirror.next does with a remote state's positions (no JSON conversion). */
function absolute(pos: unknown, doc: Y.Doc): number | undefined {
  return Y.createAbsolutePositionFromRelativePosition(pos as Y.RelativePosition, doc)?.index;
}

describe('CursorProvider', () => {
  it(`sends at most one frame per ${CURSOR_MIN_INTERVAL_MS} ms, and always the last position`, () => {
    const clock = new FakeClock();
    const a = cursorPeer(clock, 'Ada', 1);
    a.text.insert(0, 'hello world');
    for (let i = 0; i < 10; i++) setLocalCursor(a, i, i);
    const cursorFrames = () => a.wire.sent.filter((s) => s.label === 'cursor-pos');
    expect(cursorFrames()).toHaveLength(1);
    clock.advance(CURSOR_MIN_INTERVAL_MS);
    expect(cursorFrames()).toHaveLength(2);
    const last = decodeCursorFrame(cursorFrames()[1]!.data);
    const head = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(last.selection!.head), a.doc);
    expect(head?.index).toBe(9);
    expect(a.wire.sent.some((s) => s.label === 'code-sync')).toBe(false);
  });

  it('shows a remote caret with its name and colour, anchored to the right character while text is inserted above', () => {
    const clock = new FakeClock();
    const a = cursorPeer(clock, 'Ada', 1);
    const b = cursorPeer(clock, 'Bob', 2);
    a.text.insert(0, 'line one\nline two');
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
    b.wire.deliver('a', 'presence', encodePresence(a.presence.self));
    setLocalCursor(a, 14, 17); // "two"
    const frame = a.wire.sent.filter((s) => s.label === 'cursor-pos').at(-1)!;
    b.wire.deliver('a', 'cursor-pos', frame.data);
    const state = b.awareness.getStates().get(1)!;
    expect(state.user).toEqual({ name: 'Ada', color: colorFor('Ada'), colorLight: `${colorFor('Ada')}33` });
    b.text.insert(0, 'inserted above\n');
    expect(b.text.toString().slice(absolute(state.cursor!.anchor, b.doc), absolute(state.cursor!.head, b.doc))).toBe('two');
  });

  it('ignores frames older than one already applied', () => {
    const clock = new FakeClock();
    const a = cursorPeer(clock, 'Ada', 1);
    const b = cursorPeer(clock, 'Bob', 2);
    a.text.insert(0, 'abcdef');
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
    setLocalCursor(a, 1, 1);
    clock.advance(CURSOR_MIN_INTERVAL_MS);
    setLocalCursor(a, 4, 4);
    const [older, newer] = a.wire.sent.filter((s) => s.label === 'cursor-pos');
    b.wire.deliver('a', 'cursor-pos', newer!.data);
    b.wire.deliver('a', 'cursor-pos', older!.data);
    const head = b.awareness.getStates().get(1)!.cursor!.head;
    expect(absolute(head, b.doc)).toBe(4);
  });

  it('drops a peer that sends a malformed frame', () => {
    const b = cursorPeer(new FakeClock(), 'Bob', 2);
    b.wire.deliver('evil', 'cursor-pos', Uint8Array.of(1, 1, 9, 1, 3, 255, 255, 255, 1, 0));
    expect(b.wire.dropped).toHaveLength(1);
    expect(b.awareness.getStates().size).toBe(1);
  });

  it('removes the cursor of a peer whose presence is lost', () => {
    const clock = new FakeClock();
    const a = cursorPeer(clock, 'Ada', 1);
    const b = cursorPeer(clock, 'Bob', 2);
    b.wire.deliver('a', 'presence', encodePresence(a.presence.self));
    setLocalCursor(a, 0, 0);
    b.wire.deliver('a', 'cursor-pos', a.wire.sent.filter((s) => s.label === 'cursor-pos').at(-1)!.data);
    expect(b.awareness.getStates().has(1)).toBe(true);
    clock.advance(PRESENCE_LOST_MS + PRESENCE_REFRESH_MS);
    expect(b.awareness.getStates().has(1)).toBe(false);
  });
});
