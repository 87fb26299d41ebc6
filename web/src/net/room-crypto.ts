/**
 * End-to-end encryption of signaling payloads. The key is derived from the room secret, which
 * lives only in the URL fragment, so the signaling worker relays ciphertext it can neither read
 * nor forge. The additional data binds each ciphertext to its room, sender and recipient, so a
 * server replaying A→B's offer as coming from C, or to D, fails authentication.
 */
import { fromBase64Url, toBase64Url } from './base64url.ts';
import type { PeerId, Sealed } from './protocol.ts';

const KEY_INFO = 'meshpad/v1/signal-aes-gcm';
const IV_BYTES = 12;

export class RoomCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoomCryptoError';
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function deriveRoomKey(secret: string, roomId: string): Promise<CryptoKey> {
  let secretBytes: Uint8Array<ArrayBuffer>;
  try {
    secretBytes = fromBase64Url(secret);
  } catch {
    throw new RoomCryptoError('room secret is not base64url');
  }
  if (secretBytes.length < 16) throw new RoomCryptoError('room secret is shorter than 128 bits');
  const material = await crypto.subtle.importKey('raw', secretBytes, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(`meshpad/v1/room/${roomId}`), info: utf8.encode(KEY_INFO) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export function signalAad(roomId: string, from: PeerId, to: PeerId): string {
  return `${roomId}|${from}|${to}`;
}

export async function seal(key: CryptoKey, plaintext: string, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(aad) },
    key,
    utf8.encode(plaintext),
  );
  return { iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) };
}

/** Decrypts and authenticates; throws RoomCryptoError on any tampering or wrong key. */
export async function open(key: CryptoKey, sealed: Sealed, aad: string): Promise<string> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(sealed.iv), additionalData: utf8.encode(aad) },
      key,
      fromBase64Url(sealed.ct),
    );
    return fromUtf8.decode(plain);
  } catch {
    throw new RoomCryptoError('signal failed authentication (wrong room secret or tampered)');
  }
}
