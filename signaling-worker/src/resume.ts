/**
 * Resume tokens: proof that a reconnecting socket may take back the peer id a room issued
 * to it earlier. token = base64url(HMAC-SHA256(roomResumeKey, utf8(peerId))), 43 chars.
 *
 * roomResumeKey is 32 random bytes generated the first time a room needs it and kept in the
 * room's Durable Object storage, so tokens survive hibernation and restarts and a token of
 * one room is worthless in any other.
 */
import { fromBase64Url, toBase64Url } from './base64.ts';

/** Storage key of the room's resume key (base64url of 32 random bytes). */
export const RESUME_KEY_STORAGE_KEY = 'resumeKey';
const KEY_BYTES = 32;
const MAC_BYTES = 32;

const encoder = new TextEncoder();

/**
 * Reads the room's key from the synchronous KV API of a SQLite-backed Durable Object, or
 * creates and stores one. Read and write happen without an await in between, so two
 * concurrent first calls cannot create two different keys.
 */
export function loadResumeKey(kv: SyncKvStorage): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', readOrCreateRawKey(kv), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

function readOrCreateRawKey(kv: SyncKvStorage): Uint8Array {
  const stored = kv.get<unknown>(RESUME_KEY_STORAGE_KEY);
  const raw = typeof stored === 'string' ? fromBase64Url(stored) : undefined;
  if (raw?.byteLength === KEY_BYTES) return raw;
  const fresh = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  kv.put(RESUME_KEY_STORAGE_KEY, toBase64Url(fresh));
  return fresh;
}

export async function signResumeToken(key: CryptoKey, peerId: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(peerId));
  return toBase64Url(new Uint8Array(mac));
}

/** Constant-time check (crypto.subtle.verify) that `token` was issued for `peerId`. */
export async function verifyResumeToken(key: CryptoKey, peerId: string, token: string): Promise<boolean> {
  const mac = fromBase64Url(token);
  // Only the canonical spelling counts (43 chars leave 2 spare bits that must be zero).
  if (mac?.byteLength !== MAC_BYTES || toBase64Url(mac) !== token) return false;
  return crypto.subtle.verify('HMAC', key, mac, encoder.encode(peerId));
}
