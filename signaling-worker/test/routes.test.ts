import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../web/src/net/protocol.ts';
import { newRoomId } from './client.ts';

describe('HTTP routes', () => {
  it('GET /api/health reports the protocol version', async () => {
    const res = await SELF.fetch('http://example.com/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, protocol: PROTOCOL_VERSION });
  });

  it('rejects an invalid room id with 400', async () => {
    for (const bad of ['short', 'a'.repeat(65), `${'a'.repeat(21)}!`]) {
      const res = await SELF.fetch(`http://example.com/api/rooms/${encodeURIComponent(bad)}/ws`, {
        headers: { Upgrade: 'websocket' },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'bad-room' });
    }
  });

  it('requires a WebSocket upgrade (426)', async () => {
    const res = await SELF.fetch(`http://example.com/api/rooms/${newRoomId()}/ws`);
    expect(res.status).toBe(426);
    await res.body?.cancel();
  });

  it('answers unknown /api paths with a JSON 404', async () => {
    const res = await SELF.fetch('http://example.com/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not-found' });
  });
});
