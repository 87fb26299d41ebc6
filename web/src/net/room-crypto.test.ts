import { describe, expect, it } from 'vitest';
import { fromBase64Url, randomBase64Url, toBase64Url } from './base64url.ts';
import { RoomCryptoError, deriveRoomKey, open, seal, signalAad } from './room-crypto.ts';

const ROOM = 'R'.repeat(22);
const SECRET = randomBase64Url(16);
const AAD = signalAad(ROOM, 'peerAAAAAAAA', 'peerBBBBBBBB');

function flipFirstByte(text: string): string {
  const bytes = fromBase64Url(text);
  bytes[0] = bytes[0]! ^ 1;
  return toBase64Url(bytes);
}

describe('room crypto', () => {
  it('round-trips a signal', async () => {
    const key = await deriveRoomKey(SECRET, ROOM);
    const sealed = await seal(key, '{"type":"offer","sdp":"v=0"}', AAD);
    expect(sealed.iv).toHaveLength(16);
    expect(await open(key, sealed, AAD)).toBe('{"type":"offer","sdp":"v=0"}');
  });

  it('uses a fresh IV every time', async () => {
    const key = await deriveRoomKey(SECRET, ROOM);
    const a = await seal(key, 'same', AAD);
    const b = await seal(key, 'same', AAD);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('detects a tampered ciphertext or IV', async () => {
    const key = await deriveRoomKey(SECRET, ROOM);
    const sealed = await seal(key, 'hello', AAD);
    await expect(open(key, { ...sealed, ct: flipFirstByte(sealed.ct) }, AAD)).rejects.toBeInstanceOf(RoomCryptoError);
    await expect(open(key, { ...sealed, iv: flipFirstByte(sealed.iv) }, AAD)).rejects.toBeInstanceOf(RoomCryptoError);
  });

  it('binds the ciphertext to room, sender and recipient', async () => {
    const key = await deriveRoomKey(SECRET, ROOM);
    const sealed = await seal(key, 'hello', AAD);
    await expect(open(key, sealed, signalAad(ROOM, 'peerCCCCCCCC', 'peerBBBBBBBB'))).rejects.toThrow(/authentication/);
    await expect(open(key, sealed, signalAad(ROOM, 'peerAAAAAAAA', 'peerCCCCCCCC'))).rejects.toThrow(/authentication/);
    await expect(open(key, sealed, signalAad('S'.repeat(22), 'peerAAAAAAAA', 'peerBBBBBBBB'))).rejects.toThrow(/authentication/);
  });

  it('cannot be opened with another secret or in another room', async () => {
    const sealed = await seal(await deriveRoomKey(SECRET, ROOM), 'hello', AAD);
    await expect(open(await deriveRoomKey(randomBase64Url(16), ROOM), sealed, AAD)).rejects.toBeInstanceOf(RoomCryptoError);
    await expect(open(await deriveRoomKey(SECRET, 'S'.repeat(22)), sealed, AAD)).rejects.toBeInstanceOf(RoomCryptoError);
  });

  it('rejects unusable secrets', async () => {
    await expect(deriveRoomKey('shortsecret', ROOM)).rejects.toThrow(/128 bits/);
    await expect(deriveRoomKey('not base64url!', ROOM)).rejects.toThrow(/base64url/);
  });

  it('rejects garbage base64url without throwing anything else', async () => {
    const key = await deriveRoomKey(SECRET, ROOM);
    await expect(open(key, { iv: 'AAAAAAAAAAAAAAAA', ct: 'A' }, AAD)).rejects.toBeInstanceOf(RoomCryptoError);
  });
});

describe('base64url', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
  });
  it('rejects non-alphabet input', () => {
    expect(() => fromBase64Url('ab+/')).toThrow();
  });
});
