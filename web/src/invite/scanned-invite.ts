/** What a scanned QR code means to Meshpad: a room of this server, of another one, or nothing. */
import { parseRoomLocation, roomPath, type RoomAddress, ROOM_ADDRESS_ERRORS } from '../net/room-url.ts';

export type ScannedInvite =
  | { kind: 'room'; room: RoomAddress; path: string }
  | { kind: 'other-server'; url: string }
  | { kind: 'damaged'; message: string }
  | { kind: 'not-invite' };

const MAX_SCANNED_CHARS = 2048;

export function interpretScan(text: string, origin: string): ScannedInvite {
  if (text.length > MAX_SCANNED_CHARS) return { kind: 'not-invite' };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { kind: 'not-invite' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'not-invite' };
  const parsed = parseRoomLocation(url.pathname, url.hash);
  if (!parsed.ok) {
    // A link into /r/ that is broken is worth explaining; anything else is simply not ours.
    return parsed.reason === 'not-a-room' ? { kind: 'not-invite' } : { kind: 'damaged', message: ROOM_ADDRESS_ERRORS[parsed.reason] };
  }
  if (url.origin !== origin) return { kind: 'other-server', url: url.href };
  return { kind: 'room', room: parsed.room, path: roomPath(parsed.room) };
}
