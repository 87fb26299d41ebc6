import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { PeerIdSchema } from '../../web/src/net/protocol.ts';
import { newPeerId } from '../src/peer-id.ts';
import { TestClient, newRoomId } from './client.ts';

describe('peer ids', () => {
  it('sort by join time as strings, across every digit, and are valid peer ids', () => {
    const times = [0, 1, 63, 64, 65, 4095, 4096, Date.UTC(2026, 10, 24), Date.UTC(2026, 10, 24) + 1, Date.UTC(2400, 0, 1)];
    const ids = times.map((t) => newPeerId(t));
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    for (const id of ids) expect(v.is(PeerIdSchema, id), id).toBe(true);
    expect(new Set([newPeerId(5), newPeerId(5), newPeerId(5)]).size).toBe(3);
  });

  it('the room issues time-ordered ids: a newcomer sorts after the peers already there', async () => {
    const roomId = newRoomId();
    const { client: first } = await TestClient.join(roomId);
    const { client: second, welcome } = await TestClient.join(roomId);
    expect(welcome.peers).toEqual([first.self]);
    // Same millisecond possible: the time parts never go backwards.
    expect(second.self.slice(0, 8) >= first.self.slice(0, 8)).toBe(true);
    first.close();
    second.close();
  });
});
