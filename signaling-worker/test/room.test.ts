import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  MAX_FRAME_CHARS,
  MAX_PEERS_PER_ROOM,
  PeerIdSchema,
  PROTOCOL_VERSION,
} from '../../web/src/net/protocol.ts';
import * as v from 'valibot';
import { MAX_PROTOCOL_ERRORS, OVERAGE_BURST, RATE_BURST } from '../src/limits.ts';
import { newRoomId, sealed, TestClient } from './client.ts';

describe('joining', () => {
  it('welcomes with a server-assigned id and the peers already there', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    expect(a.welcome).toEqual({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      self: a.client.self,
      peers: [],
      resumeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(v.is(PeerIdSchema, a.client.self)).toBe(true);
    expect(a.client.self).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const b = await TestClient.join(room);
    expect(b.welcome.peers).toEqual([a.client.self]);
    expect(b.client.self).not.toBe(a.client.self);
    a.client.close();
    b.client.close();
  });

  it('broadcasts peer-joined and peer-left (reason left on a clean close)', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    const b = await TestClient.join(room);
    expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: b.client.self });

    const c = await TestClient.join(room);
    expect(c.welcome.peers.sort()).toEqual([a.client.self, b.client.self].sort());
    expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: c.client.self });
    expect(await b.client.next()).toEqual({ type: 'peer-joined', peer: c.client.self });

    b.client.close();
    expect(await a.client.next()).toEqual({ type: 'peer-left', peer: b.client.self, reason: 'left' });
    expect(await c.client.next()).toEqual({ type: 'peer-left', peer: b.client.self, reason: 'left' });
    a.client.close();
    c.client.close();
  });

  it('keeps rooms isolated', async () => {
    const roomA = newRoomId();
    const roomB = newRoomId();
    const a1 = await TestClient.join(roomA);
    const b1 = await TestClient.join(roomB);
    const a2 = await TestClient.join(roomA);
    const b2 = await TestClient.join(roomB);
    expect(a2.welcome.peers).toEqual([a1.client.self]);
    expect(b2.welcome.peers).toEqual([b1.client.self]);
    // Each first peer sees exactly its own room's join, nothing from the other room.
    expect(await a1.client.next()).toEqual({ type: 'peer-joined', peer: a2.client.self });
    expect(await b1.client.next()).toEqual({ type: 'peer-joined', peer: b2.client.self });
    expect(a1.client.pending + b1.client.pending).toBe(0);
    for (const c of [a1, a2, b1, b2]) c.client.close();
  });

  it(`refuses peer number ${MAX_PEERS_PER_ROOM + 1} with room-full and close 4001`, async () => {
    const room = newRoomId();
    const peers: TestClient[] = [];
    for (let i = 0; i < MAX_PEERS_PER_ROOM; i++) peers.push((await TestClient.join(room)).client);
    const extra = await TestClient.connect(room);
    extra.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await extra.next()).toMatchObject({ type: 'error', code: 'room-full' });
    expect((await extra.closed).code).toBe(CloseCode.roomFull);
    for (const p of peers) p.close();
  });

  it('rejects a second hello with already-joined', async () => {
    const { client } = await TestClient.join(newRoomId());
    client.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'already-joined' });
    client.close();
  });

  it('rejects a wrong protocol version with incompatible and close 4000', async () => {
    const client = await TestClient.connect(newRoomId());
    client.send({ type: 'hello', v: PROTOCOL_VERSION + 1 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'incompatible' });
    expect((await client.closed).code).toBe(CloseCode.incompatible);
  });
});

describe('signal relay', () => {
  it('relays to the addressed peer only, stamped with the real sender', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    const c = (await TestClient.join(room)).client;
    await a.next(); // peer-joined b
    await a.next(); // peer-joined c
    await b.next(); // peer-joined c

    a.send({ type: 'signal', to: b.self, payload: sealed('toB') });
    expect(await b.next()).toEqual({ type: 'signal', from: a.self, payload: sealed('toB') });

    // c got nothing: the next thing it sees is a signal sent to it afterwards.
    b.send({ type: 'signal', to: c.self, payload: sealed('toC') });
    expect(await c.next()).toEqual({ type: 'signal', from: b.self, payload: sealed('toC') });
    expect(c.pending).toBe(0);
    for (const p of [a, b, c]) p.close();
  });

  it('ignores a client-supplied from and extra keys', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    const c = (await TestClient.join(room)).client;
    expect(await b.next()).toEqual({ type: 'peer-joined', peer: c.self });
    a.send({
      type: 'signal',
      to: b.self,
      from: c.self,
      evil: true,
      payload: { ...sealed('spoof'), from: c.self },
    });
    const got = await b.next();
    expect(got).toEqual({ type: 'signal', from: a.self, payload: sealed('spoof') });
    for (const p of [a, b, c]) p.close();
  });

  it('answers unknown-peer for a peer of another room and delivers nothing', async () => {
    const roomA = newRoomId();
    const roomB = newRoomId();
    const a = (await TestClient.join(roomA)).client;
    const b = (await TestClient.join(roomB)).client;
    const b2 = (await TestClient.join(roomB)).client;
    await b.next(); // peer-joined b2

    a.send({ type: 'signal', to: b.self, payload: sealed('cross') });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown-peer' });

    // b's next frame is the one b2 sends now, not a's cross-room signal.
    b2.send({ type: 'signal', to: b.self, payload: sealed('same') });
    expect(await b.next()).toEqual({ type: 'signal', from: b2.self, payload: sealed('same') });
    expect(b.pending).toBe(0);
    for (const p of [a, b, b2]) p.close();
  });

  it('answers unknown-peer for self and for a peer that left', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    a.send({ type: 'signal', to: a.self, payload: sealed() });
    expect(await a.next()).toMatchObject({ type: 'peer-joined', peer: b.self });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown-peer' });
    b.close();
    expect(await a.next()).toEqual({ type: 'peer-left', peer: b.self, reason: 'left' });
    a.send({ type: 'signal', to: b.self, payload: sealed() });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown-peer' });
    a.close();
  });

  it('answers not-joined to a signal before hello', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const x = await TestClient.connect(room);
    x.send({ type: 'signal', to: a.self, payload: sealed() });
    expect(await x.next()).toMatchObject({ type: 'error', code: 'not-joined' });
    a.close();
    x.close();
  });
});

describe('frame limits', () => {
  it('closes with 1009 after an oversized frame', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    b.send('x'.repeat(MAX_FRAME_CHARS + 1));
    expect(await b.next()).toMatchObject({ type: 'error', code: 'too-large' });
    expect((await b.closed).code).toBe(CloseCode.tooLarge);
    expect(await a.next()).toEqual({ type: 'peer-joined', peer: b.self });
    expect(await a.next()).toEqual({ type: 'peer-left', peer: b.self, reason: 'lost' });
    a.close();
  });

  it('answers malformed to bad JSON, a bad shape and binary frames, and stays open', async () => {
    const { client } = await TestClient.join(newRoomId());
    client.send('{not json');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'malformed' });
    client.send({ type: 'signal', to: 'x', payload: 1 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'malformed' });
    client.sendBinary(new Uint8Array([1, 2, 3]));
    expect(await client.next()).toMatchObject({ type: 'error', code: 'malformed' });
    client.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'already-joined' });
    client.close();
  });

  it('answers unknown-type to an unknown message type', async () => {
    const { client } = await TestClient.join(newRoomId());
    client.send({ type: 'shout', text: 'hi' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unknown-type' });
    client.close();
  });

  it(`closes with 4003 after ${MAX_PROTOCOL_ERRORS} protocol errors`, async () => {
    const { client } = await TestClient.join(newRoomId());
    for (let i = 0; i < MAX_PROTOCOL_ERRORS; i++) client.send('nope');
    for (let i = 0; i < MAX_PROTOCOL_ERRORS; i++) {
      expect(await client.next()).toMatchObject({ type: 'error', code: 'malformed' });
    }
    expect((await client.closed).code).toBe(CloseCode.protocolViolation);
  });
});

describe('rate limit', () => {
  it('drops frames over the burst with rate-limited', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    const total = RATE_BURST + 20;
    for (let i = 0; i < total; i++) a.send({ type: 'signal', to: b.self, payload: sealed(`n${i}`) });
    expect(await a.next()).toEqual({ type: 'peer-joined', peer: b.self });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'rate-limited' });

    // b got the first burst in order; the dropped frames never arrive. A marker sent by a
    // third peer after the flood shows where the delivered signals end.
    const c = (await TestClient.join(room)).client;
    c.send({ type: 'signal', to: b.self, payload: sealed('end') });
    let delivered = 0;
    for (;;) {
      const m = await b.next();
      if (m.type === 'signal' && m.from === c.self) break;
      if (m.type === 'signal') delivered++;
    }
    expect(delivered).toBeGreaterThanOrEqual(RATE_BURST);
    expect(delivered).toBeLessThan(total);
    for (const p of [a, b, c]) p.close();
  });

  it('closes a socket that keeps flooding with 4002', async () => {
    const room = newRoomId();
    const a = (await TestClient.join(room)).client;
    const b = (await TestClient.join(room)).client;
    for (let i = 0; i < RATE_BURST + OVERAGE_BURST + 50; i++) {
      b.send({ type: 'signal', to: a.self, payload: sealed() });
    }
    expect((await b.closed).code).toBe(CloseCode.rateLimited);
    // a sees b leave after the relayed signals.
    for (;;) {
      const m = await a.next();
      if (m.type === 'peer-left') {
        expect(m).toEqual({ type: 'peer-left', peer: b.self, reason: 'lost' });
        break;
      }
    }
    a.close();
  });
});
