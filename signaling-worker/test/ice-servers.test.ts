import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseIceServersResponse } from '../../web/src/net/protocol.ts';
import { DEFAULT_TURN_TTL_SECONDS, mintIceServers, parseTtl } from '../src/ice-servers.ts';

/** The bindings signaling-worker/vitest.config.ts gives the worker (keep in sync). */
const TEST_ICE_ENV = {
  STUN_URLS: 'stun:stun.example.test:3478, ftp://dropped.example.test',
  TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turns:turn.example.test:5349',
  TURN_SECRET: 'test-turn-secret',
  TURN_TTL_SECONDS: '600',
};

const NOW = 1_700_000_000_123;

/** base64(HMAC-SHA1(secret, username)), computed here independently of the worker code. */
async function expectedCredential(secret: string, username: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(username)));
  return btoa(String.fromCharCode(...mac));
}

describe('mintIceServers', () => {
  it('offers nothing but an expiry without configuration', async () => {
    const res = await mintIceServers({}, 'abcdefgh12345678', NOW);
    expect(res).toEqual({ iceServers: [], expiresAt: (1_700_000_000 + DEFAULT_TURN_TTL_SECONDS) * 1000, turn: false });
    expect(parseIceServersResponse(res)).toEqual(res);
  });

  it('lists valid STUN URLs only and no TURN without both TURN_URLS and TURN_SECRET', async () => {
    const stun = ' stun:a.test:3478 ,stuns:b.test, turn:c.test, http://d.test, stun:has space, ';
    for (const env of [
      { STUN_URLS: stun },
      { STUN_URLS: stun, TURN_URLS: 'turn:c.test' },
      { STUN_URLS: stun, TURN_SECRET: 'secret' },
      { STUN_URLS: stun, TURN_URLS: 'http://c.test', TURN_SECRET: 'secret' },
    ]) {
      const res = await mintIceServers(env, 'abcdefgh12345678', NOW);
      expect(res.iceServers).toEqual([{ urls: ['stun:a.test:3478', 'stuns:b.test'] }]);
      expect(res.turn).toBe(false);
      expect(parseIceServersResponse(res)).not.toBeNull();
    }
  });

  it('mints TURN REST API credentials: <expiry>:<name> and base64(HMAC-SHA1)', async () => {
    const res = await mintIceServers(TEST_ICE_ENV, 'abcdefgh12345678', NOW);
    expect(res.turn).toBe(true);
    expect(res.expiresAt).toBe(1_700_000_600_000);
    expect(res.iceServers).toEqual([
      { urls: ['stun:stun.example.test:3478'] },
      {
        urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.test:5349'],
        username: '1700000600:abcdefgh12345678',
        // printf '%s' '1700000600:abcdefgh12345678' | openssl dgst -sha1 -hmac test-turn-secret -binary | base64
        credential: 'Ue3tGdcSVwTaLT7bNrtRAWybQ6I=',
      },
    ]);
    const expected = await expectedCredential('test-turn-secret', '1700000600:abcdefgh12345678');
    expect(expected).toBe('Ue3tGdcSVwTaLT7bNrtRAWybQ6I=');
    expect(parseIceServersResponse(res)).toEqual(res);
    expect(JSON.stringify(res)).not.toContain('test-turn-secret');
  });

  it('falls back to the default TTL for invalid values', () => {
    expect(parseTtl(undefined)).toBe(DEFAULT_TURN_TTL_SECONDS);
    for (const bad of ['', 'abc', '0', '-5', '1.5', '1e3', '99999999']) {
      expect(parseTtl(bad)).toBe(DEFAULT_TURN_TTL_SECONDS);
    }
    expect(parseTtl(' 60 ')).toBe(60);
  });
});

describe('GET /api/ice-servers', () => {
  it('returns STUN and fresh TURN credentials for the given peer, uncached', async () => {
    const peer = 'abcdefgh12345678';
    const before = Math.floor(Date.now() / 1000);
    const res = await SELF.fetch(`http://example.com/api/ice-servers?peer=${peer}`);
    const after = Math.floor(Date.now() / 1000);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const text = await res.text();
    expect(text).not.toContain(TEST_ICE_ENV.TURN_SECRET);
    const body = parseIceServersResponse(JSON.parse(text));
    expect(body).not.toBeNull();
    expect(body!.turn).toBe(true);
    expect(body!.iceServers[0]).toEqual({ urls: ['stun:stun.example.test:3478'] });

    const turn = body!.iceServers[1]!;
    expect(turn.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.test:5349']);
    const match = /^(\d+):(.+)$/.exec(turn.username ?? '');
    expect(match?.[2]).toBe(peer);
    const expiry = Number(match?.[1]);
    expect(expiry).toBeGreaterThanOrEqual(before + 600);
    expect(expiry).toBeLessThanOrEqual(after + 600);
    expect(body!.expiresAt).toBe(expiry * 1000);
    expect(turn.credential).toBe(await expectedCredential(TEST_ICE_ENV.TURN_SECRET, turn.username!));
  });

  it('names the credentials randomly without a peer parameter', async () => {
    const res = await SELF.fetch('http://example.com/api/ice-servers');
    expect(res.status).toBe(200);
    const body = parseIceServersResponse(await res.json());
    const [, name] = (body?.iceServers[1]?.username ?? '').split(':');
    expect(name).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('rejects an invalid peer parameter with 400 bad-peer', async () => {
    for (const bad of ['', 'short', 'x'.repeat(65), 'abcdefgh!2345678', 'abcd:efgh12345678']) {
      const res = await SELF.fetch(`http://example.com/api/ice-servers?peer=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(await res.json()).toEqual({ error: 'bad-peer' });
    }
  });
});
