/**
 * The whole core in Node over real WebRTC (node-datachannel via webrtc-polyfill) and an
 * in-process signaling server. Runs inside the loopback-only namespace with the other unit
 * tests (`npm run test:unit`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSignalingServer } from '../test-support/fake-signaling-server.ts';
import { createRoomAddress } from '../net/room-url.ts';
import { RoomSession } from './room-session.ts';

const ORIGIN = 'http://127.0.0.1:1';
const sessions: RoomSession[] = [];

function iceFetch(body: unknown = { iceServers: [], expiresAt: Date.now() + 3_600_000, turn: false }) {
  return async () => ({ ok: true, status: 200, json: async () => body });
}

async function join(server: FakeSignalingServer, room = createRoomAddress()) {
  const session = new RoomSession({
    room,
    origin: ORIGIN,
    createSocket: server.connect,
    fetch: iceFetch(),
    rtcConfigExtras: { bindAddress: '127.0.0.1' },
  });
  sessions.push(session);
  await session.start();
  return session;
}

/** Resolves when `check` holds, re-checking on every state change of the sessions. */
function until(check: () => boolean, what: string, sessionsToWatch: RoomSession[], timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = [];
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const off of offs) off();
    };
    const test = () => {
      if (check()) {
        done();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      done();
      const states = sessionsToWatch.map((s) => JSON.stringify(s.network?.peers().map((p) => [p.link.phase, p.link.failures, p.link.reason])));
      reject(new Error(`timed out waiting for ${what}; links: ${states.join(' | ')}`));
    }, timeoutMs);
    // Text changes do not notify the session, so also re-check on document updates.
    const poll = setInterval(test, 50);
    for (const s of sessionsToWatch) {
      offs.push(s.subscribe(test));
      s.doc.on('update', test);
      offs.push(() => s.doc.off('update', test));
    }
    test();
  });
}

const openTo = (a: RoomSession, b: RoomSession) => () => {
  const id = b.network?.self;
  return !!id && (a.network?.openPeers() ?? []).includes(id);
};

afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

// WebRTC handshakes on a loaded 2-core machine can take seconds; the machines' own timeouts apply.
describe('RoomSession over real WebRTC (node-datachannel)', { timeout: 40_000 }, () => {
  it('connects two peers with five open channels and syncs edits both ways', async () => {
    const server = new FakeSignalingServer();
    const room = createRoomAddress();
    const a = await join(server, room);
    a.text.insert(0, 'hello');
    const b = await join(server, room);
    await until(() => openTo(a, b)() && openTo(b, a)(), 'both links open', [a, b]);
    const channels = a.network!.channelInfo()[b.network!.self!]!;
    expect(channels.map((c) => [c.label, c.readyState])).toEqual([
      ['code-sync', 'open'],
      ['cursor-pos', 'open'],
      ['ai-stream', 'open'],
      ['presence', 'open'],
      ['files', 'open'],
    ]);
    await until(() => b.text.toString() === 'hello', 'initial sync', [b]);
    b.text.insert(5, ' world');
    await until(() => a.text.toString() === 'hello world', 'B→A edit', [a]);
    expect(a.snapshot().overall).toBe('connected');
  });

  it('reconnects after a link is closed and merges edits made during the gap', async () => {
    const server = new FakeSignalingServer();
    const room = createRoomAddress();
    const a = await join(server, room);
    const b = await join(server, room);
    await until(() => openTo(a, b)() && openTo(b, a)(), 'both links open', [a, b]);
    const bId = b.network!.self!;
    expect(a.network!.closeConnection(bId)).toBe(true);
    a.text.insert(0, 'from a;');
    b.text.insert(0, 'from b;');
    await until(() => a.network!.peers()[0]?.link.phase === 'reconnecting' || !openTo(a, b)(), 'A notices the drop', [a]);
    await until(() => openTo(a, b)() && openTo(b, a)(), 'links open again', [a, b], 30_000);
    await until(() => a.text.toString() === b.text.toString() && a.text.length === 14, 'documents converge', [a, b]);
    expect(a.text.toString()).toContain('from a;');
    expect(a.text.toString()).toContain('from b;');
  });

  it('keeps syncing over P2P while signaling is down, and a late peer joins once it is back', async () => {
    const server = new FakeSignalingServer();
    const room = createRoomAddress();
    const a = await join(server, room);
    const b = await join(server, room);
    await until(() => openTo(a, b)() && openTo(b, a)(), 'both links open', [a, b]);
    server.crash();
    await until(() => a.snapshot().signaling.phase !== 'connected', 'A sees signaling down', [a]);
    a.text.insert(0, 'p2p only');
    await until(() => b.text.toString() === 'p2p only', 'edit over P2P without signaling', [b]);
    await until(() => a.snapshot().signaling.phase === 'connected', 'A back on signaling', [a], 20_000);
    const c = await join(server, room);
    await until(() => c.text.toString() === 'p2p only', 'late joiner gets the document', [c]);
    expect(a.network!.peers().map((p) => p.id).sort()).toEqual([b.network!.self!, c.network!.self!].sort());
  });
});

describe('RoomSession offline/online', { timeout: 40_000 }, () => {
  it('goes offline, keeps editing, and resyncs both ways when back online', async () => {
    const server = new FakeSignalingServer();
    const room = createRoomAddress();
    const a = await join(server, room);
    const b = await join(server, room);
    await until(() => openTo(a, b)() && openTo(b, a)(), 'both links open', [a, b]);
    a.goOffline();
    await until(() => !openTo(b, a)(), 'B sees A gone', [b]);
    expect(a.snapshot().overall).toBe('offline');
    for (let i = 0; i < 100; i++) {
      a.text.insert(a.text.length, `a${i};`);
      b.text.insert(0, `b${i};`);
    }
    a.goOnline();
    await until(() => openTo(a, b)() && openTo(b, a)(), 'links open again', [a, b], 30_000);
    await until(() => a.text.toString() === b.text.toString(), 'documents converge', [a, b]);
    expect(a.text.toString()).toContain('a99;');
    expect(a.text.toString()).toContain('b99;');
  });
});
