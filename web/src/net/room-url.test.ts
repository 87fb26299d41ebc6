import { describe, expect, it } from 'vitest';
import { createRoomAddress, parseRoomLocation, roomPath } from './room-url.ts';

describe('room links', () => {
  it('creates 128-bit URL-safe ids and secrets that parse back', () => {
    const room = createRoomAddress();
    expect(room.roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.roomId).not.toBe(createRoomAddress().roomId);
    const url = new URL(roomPath(room), 'https://meshpad.test');
    expect(parseRoomLocation(url.pathname, url.hash)).toEqual({ ok: true, room });
  });

  it.each([
    ['/', '#x', 'not-a-room'],
    ['/r/', '', 'bad-room-id'],
    ['/r/short', '#' + 'S'.repeat(22), 'bad-room-id'],
    ['/r/' + 'A'.repeat(22), '', 'missing-secret'],
    ['/r/' + 'A'.repeat(22), '#', 'missing-secret'],
    ['/r/' + 'A'.repeat(22), '#tooshort', 'bad-secret'],
    ['/r/' + 'A'.repeat(22), '#' + 'S'.repeat(21) + '%', 'bad-secret'],
    ['/r/' + 'A'.repeat(22) + '/extra', '#' + 'S'.repeat(22), 'not-a-room'],
  ])('rejects %s %s as %s', (path, hash, reason) => {
    expect(parseRoomLocation(path, hash)).toEqual({ ok: false, reason });
  });
});
