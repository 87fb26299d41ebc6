/**
 * The driver: the one peer the others can follow with one click. The role is a single key of a
 * shared Y.Map, so it travels with the document: concurrent take-overs, and edits of two
 * partitions that heal, resolve by Yjs' own deterministic rule for concurrent map writes — every
 * peer ends with the same single driver, with no extra protocol.
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { PeerIdSchema, type PeerId } from '../net/protocol.ts';

export const ROOM_MAP = 'room';
const DRIVER_KEY = 'driver';

const DriverSchema = v.object({
  peer: PeerIdSchema,
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(40)),
  since: v.number(),
});
export type Driver = v.InferOutput<typeof DriverSchema>;

export class DriverRole {
  private readonly map: Y.Map<unknown>;

  constructor(doc: Y.Doc) {
    this.map = doc.getMap(ROOM_MAP);
  }

  /** The current driver, or null (none yet, or a value a peer wrote that is not valid). */
  current(): Driver | null {
    const result = v.safeParse(DriverSchema, this.map.get(DRIVER_KEY));
    return result.success ? result.output : null;
  }

  /** Hands the role to `peer` (Make driver), or takes it (Take over). */
  assign(peer: PeerId, name: string, now: number): void {
    this.map.set(DRIVER_KEY, { peer, name: name.slice(0, 40) || 'Guest', since: now });
  }

  /** Whether someone may take over: no driver, or the driver is not here or is away. */
  static canTakeOver(driver: Driver | null, presentAndActive: (peer: PeerId) => boolean): boolean {
    return driver === null || !presentAndActive(driver.peer);
  }

  observe(listener: () => void): () => void {
    const handler = (event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has(DRIVER_KEY)) listener();
    };
    this.map.observe(handler);
    return () => this.map.unobserve(handler);
  }
}
