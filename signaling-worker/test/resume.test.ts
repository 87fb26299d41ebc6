import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CloseCode, MAX_PEERS_PER_ROOM, PROTOCOL_VERSION } from '../../web/src/net/protocol.ts';
import { newRoomId, sealed, TestClient, type Welcome } from './client.ts';

/** The resume a client would send after `welcome`. */
function resumeOf(welcome: Welcome): { peer: string; token: string } {
  return { peer: welcome.self, token: welcome.resumeToken };
}

describe('resume', () => {
  it('gives a reconnecting peer its id back; the others see it lost, then joined again', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    const b = await TestClient.join(room);
    expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: b.client.self });

    // A 4xxx close from the client is not a clean leave.
    a.client.close(4000, 'network changed');
    expect(await b.client.next()).toEqual({ type: 'peer-left', peer: a.client.self, reason: 'lost' });

    const a2 = await TestClient.join(room, resumeOf(a.welcome));
    expect(a2.welcome.self).toBe(a.client.self);
    expect(a2.welcome.peers).toEqual([b.client.self]);
    expect(a2.welcome.resumeToken).toBe(a.welcome.resumeToken);
    expect(await b.client.next()).toEqual({ type: 'peer-joined', peer: a.client.self });

    // Signals to the old id reach the new socket, and its signals carry the old id.
    b.client.send({ type: 'signal', to: a.client.self, payload: sealed('again') });
    expect(await a2.client.next()).toEqual({ type: 'signal', from: b.client.self, payload: sealed('again') });
    a2.client.send({ type: 'signal', to: b.client.self, payload: sealed('back') });
    expect(await b.client.next()).toEqual({ type: 'signal', from: a.client.self, payload: sealed('back') });
    a2.client.close();
    b.client.close();
  });

  it('closes a still-open socket holding the id with 4004, without peer-left', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    const b = await TestClient.join(room);
    expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: b.client.self });

    const a2 = await TestClient.join(room, resumeOf(a.welcome));
    expect(a2.welcome.self).toBe(a.client.self);
    expect(a2.welcome.peers).toEqual([b.client.self]);
    expect(await a.client.closed).toEqual({ code: CloseCode.replaced, reason: 'replaced' });
    expect(a.client.pending).toBe(0);
    expect(await b.client.next()).toEqual({ type: 'peer-joined', peer: a.client.self });

    // The old socket's close handshake is done; a marker join shows b got nothing in between.
    const c = await TestClient.join(room);
    expect(c.welcome.peers.sort()).toEqual([a.client.self, b.client.self].sort());
    expect(await b.client.next()).toEqual({ type: 'peer-joined', peer: c.client.self });
    expect(await a2.client.next()).toEqual({ type: 'peer-joined', peer: c.client.self });
    expect(b.client.pending + a2.client.pending).toBe(0);
    for (const p of [a2, b, c]) p.client.close();
  });

  it('ignores a token issued for another peer, a made-up one and a non-canonical spelling', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    const b = await TestClient.join(room);
    expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: b.client.self });

    // Same 32 bytes as a's token, spelled with non-zero spare bits in the last character.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = a.welcome.resumeToken;
    const last = alphabet.indexOf(token.slice(-1));
    const nonCanonical = token.slice(0, -1) + alphabet.charAt(last | 1);
    expect(nonCanonical).not.toBe(token);

    const forged = [b.welcome.resumeToken, 'A'.repeat(43), nonCanonical];
    const seen = new Set([a.client.self, b.client.self]);
    for (const bad of forged) {
      const x = await TestClient.join(room, { peer: a.client.self, token: bad });
      expect(seen.has(x.welcome.self)).toBe(false);
      seen.add(x.welcome.self);
      expect(x.welcome.resumeToken).not.toBe(token);
      // a is untouched: it is told about the newcomer like about any other peer.
      expect(await a.client.next()).toEqual({ type: 'peer-joined', peer: x.welcome.self });
      x.client.close();
      expect(await a.client.next()).toEqual({ type: 'peer-left', peer: x.welcome.self, reason: 'left' });
    }
    a.client.close();
    b.client.close();
  });

  it("does not accept one room's token in another room", async () => {
    const a = await TestClient.join(newRoomId());
    const other = newRoomId();
    const x = await TestClient.join(other, resumeOf(a.welcome));
    expect(x.welcome.self).not.toBe(a.client.self);
    expect(x.welcome.resumeToken).not.toBe(a.welcome.resumeToken);
    a.client.close();
    x.client.close();
  });

  it('signs tokens with the 32-byte key kept in the room storage', async () => {
    const room = newRoomId();
    const a = await TestClient.join(room);
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    const stored = await runInDurableObject(stub, (_instance, state) => state.storage.kv.get<string>('resumeKey'));
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Recompute HMAC-SHA256(key, utf8(peerId)) independently of the worker code.
    const raw = Uint8Array.from(atob(`${stored!.replaceAll('-', '+').replaceAll('_', '/')}=`), (c) => c.charCodeAt(0));
    expect(raw.byteLength).toBe(32);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(a.client.self)));
    const expected = btoa(String.fromCharCode(...mac)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    expect(a.welcome.resumeToken).toBe(expected);
    a.client.close();
  });

  it('lets a peer resume into a full room by replacing its own old socket', async () => {
    const room = newRoomId();
    const first = await TestClient.join(room);
    const rest: TestClient[] = [];
    for (let i = 1; i < MAX_PEERS_PER_ROOM; i++) rest.push((await TestClient.join(room)).client);

    const again = await TestClient.join(room, resumeOf(first.welcome));
    expect(again.welcome.self).toBe(first.client.self);
    expect(again.welcome.peers).toHaveLength(MAX_PEERS_PER_ROOM - 1);
    expect((await first.client.closed).code).toBe(CloseCode.replaced);

    // Still full for anybody else.
    const extra = await TestClient.connect(room);
    extra.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await extra.next()).toMatchObject({ type: 'error', code: 'room-full' });
    expect((await extra.closed).code).toBe(CloseCode.roomFull);
    again.client.close();
    for (const p of rest) p.close();
  });

  it('answers the second of two back-to-back hellos with already-joined', async () => {
    const client = await TestClient.connect(newRoomId());
    client.send({ type: 'hello', v: PROTOCOL_VERSION });
    client.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await client.next()).toMatchObject({ type: 'welcome' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'already-joined' });
    client.close();
  });
});
