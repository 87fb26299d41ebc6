/**
 * GET /api/ice-servers: the STUN/TURN servers clients should use, with short-lived TURN
 * credentials in the "TURN REST API" form that coturn checks with `--use-auth-secret`:
 *
 *   username   = `<unix expiry seconds>:<name>`
 *   credential = base64(HMAC-SHA1(TURN_SECRET, username))
 *
 * The secret itself never leaves the worker.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { PeerIdSchema, type IceServersResponse } from '../../web/src/net/protocol.ts';
import { randomBase64Url, toBase64 } from './base64.ts';
import type { Env } from './env.ts';

export const DEFAULT_TURN_TTL_SECONDS = 7200;
/** Longest accepted TURN_TTL_SECONDS (7 days); larger or invalid values fall back to the default. */
export const MAX_TURN_TTL_SECONDS = 7 * 24 * 3600;
/** Entries per URL list the response schema allows. */
const MAX_URLS = 8;
const MAX_URL_CHARS = 256;

/** The env vars this route reads; all optional (wrangler secrets / `--var`). */
export type IceEnv = Pick<Env, 'STUN_URLS' | 'TURN_URLS' | 'TURN_SECRET' | 'TURN_TTL_SECONDS'>;

/** Comma-separated URLs, trimmed, keeping only the given schemes (e.g. `stun:`), at most 8. */
export function parseUrls(list: string | undefined, schemes: readonly string[]): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length <= MAX_URL_CHARS && !/\s/.test(url) && schemes.some((s) => url.startsWith(s)))
    .slice(0, MAX_URLS);
}

export function parseTtl(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return DEFAULT_TURN_TTL_SECONDS;
  const ttl = Number(value.trim());
  return ttl >= 1 && ttl <= MAX_TURN_TTL_SECONDS ? ttl : DEFAULT_TURN_TTL_SECONDS;
}

/** base64(HMAC-SHA1(secret, username)), the coturn `--use-auth-secret` password. */
export async function turnCredential(secret: string, username: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(username));
  return toBase64(new Uint8Array(mac));
}

/**
 * Builds the response for `name` (a peer id, or any label) at `now` (Unix ms). STUN entries
 * from STUN_URLS; a TURN entry only when TURN_URLS and TURN_SECRET are both set.
 */
export async function mintIceServers(env: IceEnv, name: string, now: number): Promise<IceServersResponse> {
  const ttl = parseTtl(env.TURN_TTL_SECONDS);
  const expiry = Math.floor(now / 1000) + ttl;
  const iceServers: IceServersResponse['iceServers'] = [];

  const stun = parseUrls(env.STUN_URLS, ['stun:', 'stuns:']);
  if (stun.length > 0) iceServers.push({ urls: stun });

  const turn = parseUrls(env.TURN_URLS, ['turn:', 'turns:']);
  const secret = env.TURN_SECRET;
  const withTurn = turn.length > 0 && secret !== undefined && secret !== '';
  if (withTurn) {
    const username = `${expiry}:${name}`;
    iceServers.push({ urls: turn, username, credential: await turnCredential(secret, username) });
  }
  return { iceServers, expiresAt: expiry * 1000, turn: withTurn };
}

export const iceServers = new Hono<{ Bindings: Env }>();

iceServers.get('/', async (c) => {
  c.header('Cache-Control', 'no-store');
  const peer = c.req.query('peer');
  if (peer !== undefined && !v.is(PeerIdSchema, peer)) return c.json({ error: 'bad-peer' }, 400);
  return c.json(await mintIceServers(c.env, peer ?? randomBase64Url(12), Date.now()));
});
