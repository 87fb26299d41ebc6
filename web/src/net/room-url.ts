/** Room links: `/r/<room-id>#<secret>`. The secret stays in the fragment, never sent to a server. */
import { randomBase64Url } from './base64url.ts';
import { isValidRoomId } from './protocol.ts';

const ID_BYTES = 16;

export interface RoomAddress {
  readonly roomId: string;
  readonly secret: string;
}

export type RoomAddressResult =
  | { ok: true; room: RoomAddress }
  | { ok: false; reason: 'not-a-room' | 'bad-room-id' | 'missing-secret' | 'bad-secret' };

export function createRoomAddress(): RoomAddress {
  return { roomId: randomBase64Url(ID_BYTES), secret: randomBase64Url(ID_BYTES) };
}

export function roomPath(room: RoomAddress): string {
  return `/r/${room.roomId}#${room.secret}`;
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

export function parseRoomLocation(pathname: string, hash: string): RoomAddressResult {
  const match = /^\/r\/([^/]*)\/?$/.exec(pathname);
  if (!match) return { ok: false, reason: 'not-a-room' };
  const roomId = match[1]!;
  if (!isValidRoomId(roomId)) return { ok: false, reason: 'bad-room-id' };
  const secret = hash.startsWith('#') ? hash.slice(1) : hash;
  if (secret === '') return { ok: false, reason: 'missing-secret' };
  if (!SECRET_PATTERN.test(secret)) return { ok: false, reason: 'bad-secret' };
  return { ok: true, room: { roomId, secret } };
}

export const ROOM_ADDRESS_ERRORS: Record<Exclude<RoomAddressResult, { ok: true }>['reason'], string> = {
  'not-a-room': 'This is not a Meshpad room link.',
  'bad-room-id': 'This room link is damaged: the room id is not valid.',
  'missing-secret': 'This room link has no key (the part after #). Ask for the full link.',
  'bad-secret': 'This room link is damaged: the key after # is not valid.',
};
