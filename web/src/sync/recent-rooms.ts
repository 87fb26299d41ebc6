/**
 * Rooms this browser opened, newest first, kept in local storage so an offline user can reopen
 * them from the home page. The stored list is untrusted input: anything malformed is dropped.
 */
import * as v from 'valibot';
import { isValidRoomId } from '../net/protocol.ts';
import { parseRoomLocation, roomPath, type RoomAddress } from '../net/room-url.ts';

export const RECENT_ROOMS_KEY = 'meshpad:recent-rooms';
export const MAX_RECENT_ROOMS = 20;

export interface RecentRoom extends RoomAddress {
  readonly openedAt: number;
}

const RecentRoomSchema = v.object({ roomId: v.string(), secret: v.string(), openedAt: v.number() });

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function readRecentRooms(storage: KeyValueStore): RecentRoom[] {
  let json: unknown;
  try {
    json = JSON.parse(storage.getItem(RECENT_ROOMS_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(json)) return [];
  const rooms: RecentRoom[] = [];
  for (const item of json) {
    const parsed = v.safeParse(RecentRoomSchema, item);
    if (!parsed.success) continue;
    const room = parsed.output;
    if (!isValidRoomId(room.roomId) || !parseRoomLocation(`/r/${room.roomId}`, `#${room.secret}`).ok) continue;
    rooms.push(room);
  }
  return rooms.sort((a, b) => b.openedAt - a.openedAt).slice(0, MAX_RECENT_ROOMS);
}

export function rememberRoom(storage: KeyValueStore, room: RoomAddress, now: number): RecentRoom[] {
  const rooms = [{ roomId: room.roomId, secret: room.secret, openedAt: now }, ...readRecentRooms(storage).filter((r) => r.roomId !== room.roomId)];
  const kept = rooms.slice(0, MAX_RECENT_ROOMS);
  writeRooms(storage, kept);
  return kept;
}

export function forgetRoom(storage: KeyValueStore, roomId: string): RecentRoom[] {
  const kept = readRecentRooms(storage).filter((r) => r.roomId !== roomId);
  writeRooms(storage, kept);
  return kept;
}

export function recentRoomPath(room: RecentRoom): string {
  return roomPath(room);
}

function writeRooms(storage: KeyValueStore, rooms: RecentRoom[]): void {
  try {
    storage.setItem(RECENT_ROOMS_KEY, JSON.stringify(rooms));
  } catch {
    // Storage full or blocked: the list is a convenience, the room itself still works.
  }
}
