import { describe, expect, it } from 'vitest';
import { createRoomAddress } from '../net/room-url.ts';
import { MAX_RECENT_ROOMS, RECENT_ROOMS_KEY, forgetRoom, readRecentRooms, rememberRoom, type KeyValueStore } from './recent-rooms.ts';

function memory(initial: Record<string, string> = {}): KeyValueStore & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe('recent rooms', () => {
  it('remembers rooms newest first without duplicates', () => {
    const storage = memory();
    const a = createRoomAddress();
    const b = createRoomAddress();
    rememberRoom(storage, a, 1);
    rememberRoom(storage, b, 2);
    rememberRoom(storage, a, 3);
    expect(readRecentRooms(storage).map((r) => [r.roomId, r.openedAt])).toEqual([
      [a.roomId, 3],
      [b.roomId, 2],
    ]);
  });

  it(`keeps at most ${MAX_RECENT_ROOMS}`, () => {
    const storage = memory();
    for (let i = 0; i < MAX_RECENT_ROOMS + 5; i++) rememberRoom(storage, createRoomAddress(), i);
    expect(readRecentRooms(storage)).toHaveLength(MAX_RECENT_ROOMS);
  });

  it('forgets a room', () => {
    const storage = memory();
    const a = createRoomAddress();
    rememberRoom(storage, a, 1);
    expect(forgetRoom(storage, a.roomId)).toEqual([]);
  });

  it.each([
    ['not JSON', '{oops'],
    ['not an array', '{"roomId":"x"}'],
    ['entries of the wrong shape', '[1, null, {"roomId": 5}]'],
    ['an invalid room id', JSON.stringify([{ roomId: 'bad id', secret: 'S'.repeat(22), openedAt: 1 }])],
    ['an invalid secret', JSON.stringify([{ roomId: 'R'.repeat(22), secret: '<script>', openedAt: 1 }])],
  ])('ignores stored garbage: %s', (_name, raw) => {
    expect(readRecentRooms(memory({ [RECENT_ROOMS_KEY]: raw }))).toEqual([]);
  });

  it('survives a storage that refuses writes', () => {
    const storage: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => rememberRoom(storage, createRoomAddress(), 1)).not.toThrow();
  });
});
