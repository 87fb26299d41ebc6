import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DriverRole, ROOM_MAP } from './driver-role.ts';

/** A tiny deterministic PRNG (mulberry32), so a failing schedule can be replayed by its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const peerId = (i: number) => `peer-${String(i).padStart(8, '0')}`;

/** Peers in partitions: updates flow only inside a partition, with random delays (pending queues). */
function simulate(seed: number, peers: number, steps: number): { drivers: Array<string | null>; docs: Y.Doc[] } {
  const random = rng(seed);
  const docs = Array.from({ length: peers }, () => new Y.Doc());
  const roles = docs.map((d) => new DriverRole(d));
  const queues: Uint8Array[][][] = docs.map(() => docs.map(() => []));
  docs.forEach((doc, from) =>
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'net') return;
      for (let to = 0; to < peers; to++) if (to !== from) queues[from]![to]!.push(update);
    }),
  );
  let partition = docs.map(() => 0);
  const deliver = (from: number, to: number) => {
    const queue = queues[from]![to]!;
    if (queue.length === 0) return;
    Y.applyUpdate(docs[to]!, queue.shift()!, 'net');
  };
  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.3) {
      const who = Math.floor(random() * peers);
      roles[who]!.assign(peerId(Math.floor(random() * peers)), `P${who}`, step);
    } else if (r < 0.35) {
      partition = docs.map(() => Math.floor(random() * 3));
    } else {
      const from = Math.floor(random() * peers);
      const to = Math.floor(random() * peers);
      if (from !== to && partition[from] === partition[to]) deliver(from, to);
    }
  }
  // Heal: everyone meets everyone until all queues are empty.
  for (let round = 0; round < steps + 10; round++) {
    let moved = false;
    for (let from = 0; from < peers; from++) {
      for (let to = 0; to < peers; to++) {
        if (from === to || queues[from]![to]!.length === 0) continue;
        deliver(from, to);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { drivers: roles.map((r) => r.current()?.peer ?? null), docs };
}

describe('DriverRole', () => {
  it('assigns, hands over and notifies', () => {
    const doc = new Y.Doc();
    const role = new DriverRole(doc);
    const seen: Array<string | undefined> = [];
    role.observe(() => seen.push(role.current()?.peer));
    expect(role.current()).toBeNull();
    role.assign(peerId(1), 'Ada', 1);
    role.assign(peerId(2), 'Bob', 2);
    expect(role.current()).toEqual({ peer: peerId(2), name: 'Bob', since: 2 });
    expect(seen).toEqual([peerId(1), peerId(2)]);
  });

  it('ends with exactly one and the same driver everywhere, under random concurrent take-overs and partitions', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { drivers, docs } = simulate(seed, 2 + (seed % 5), 120);
      const first = drivers[0];
      expect(first, `seed ${seed}: a driver`).not.toBeNull();
      expect(new Set(drivers).size, `seed ${seed}: one driver everywhere (${drivers.join(',')})`).toBe(1);
      const states = new Set(docs.map((d) => JSON.stringify(d.getMap(ROOM_MAP).toJSON())));
      expect(states.size, `seed ${seed}: identical room state`).toBe(1);
    }
  }, 30_000); // 200 schedules; generous for a loaded 2-core CI machine running coverage

  it('ignores a malformed driver value written by a peer', () => {
    const doc = new Y.Doc();
    doc.getMap(ROOM_MAP).set('driver', { peer: '<script>', name: 5 });
    expect(new DriverRole(doc).current()).toBeNull();
  });

  it('lets anyone take over when there is no driver or the driver is gone or away', () => {
    const driver = { peer: peerId(1), name: 'Ada', since: 0 };
    expect(DriverRole.canTakeOver(null, () => true)).toBe(true);
    expect(DriverRole.canTakeOver(driver, () => true)).toBe(false);
    expect(DriverRole.canTakeOver(driver, () => false)).toBe(true);
  });
});
