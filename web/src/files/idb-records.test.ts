import 'fake-indexeddb/auto';
import { createStore, del, get, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import type { DownloadRecord } from './file-storage.ts';
import { IdbRecords } from './idb-records.ts';
import { BLOCK_BYTES, type Manifest } from './manifest.ts';

let databases = 0;
/** A fresh database per test, and a handle on its raw stores to see what was written. */
function fresh() {
  const name = `idb-records-test-${++databases}`;
  return { name, records: new IdbRecords(name), rawRecords: createStore(name, 'downloads'), rawManifests: createStore(`${name}-manifests`, 'manifests') };
}

const hex = (c: string) => c.repeat(64);
const manifest: Manifest = { name: 'a.bin', size: 3 * BLOCK_BYTES, type: '', hash: hex('a'), blockBytes: BLOCK_BYTES, blocks: [hex('1'), hex('2'), hex('3')] };
const record = (have: string, m: Manifest = manifest): DownloadRecord => ({ hash: m.hash, id: 'offer-1', from: 'peer-1', fromName: 'Ada', manifest: m, have, status: 'receiving', offeredAt: 1 });

describe('IdbRecords', () => {
  it('reads back what was put, with its manifest, from get and list', async () => {
    const { records } = fresh();
    await records.put(record('x'));
    expect(await records.get(manifest.hash)).toEqual(record('x'));
    expect(await records.list()).toEqual([record('x')]);
    expect(await records.get(hex('b'))).toBeUndefined();
  });

  it('keeps the manifest out of the record that is rewritten after every block, and writes it once', async () => {
    const { records, rawRecords, rawManifests } = fresh();
    await records.put(record('x'));
    // Overwrite the stored manifest behind the store's back: an unchanged manifest must not be written again.
    const marker = { ...manifest, name: 'marker.bin' };
    await set(manifest.hash, marker, rawManifests);
    await records.put(record('y'));
    const raw = await get<Record<string, unknown>>(manifest.hash, rawRecords);
    expect(raw).toBeDefined();
    expect(raw).not.toHaveProperty('manifest');
    expect(raw?.['have']).toBe('y');
    expect(await get(manifest.hash, rawManifests)).toEqual(marker);
  });

  it('writes a manifest again when another offer of the same file replaced it', async () => {
    const { name, records } = fresh();
    await records.put(record('x'));
    const renamed = { ...manifest, name: 'b.bin' };
    await records.put(record('x', renamed));
    expect((await records.get(manifest.hash))?.manifest.name).toBe('b.bin');
    // A new page (no memory of what was written) reads the same from the database.
    expect((await new IdbRecords(name).get(manifest.hash))?.manifest.name).toBe('b.bin');
  });

  it('reads records from before the split, with the manifest inside', async () => {
    const { records, rawRecords } = fresh();
    await set(manifest.hash, record('old'), rawRecords);
    expect(await records.get(manifest.hash)).toEqual(record('old'));
    expect(await records.list()).toEqual([record('old')]);
  });

  it('leaves out a record whose manifest is gone, and delete removes both', async () => {
    const { records, rawManifests } = fresh();
    await records.put(record('x'));
    await records.delete(manifest.hash);
    expect(await records.get(manifest.hash)).toBeUndefined();
    expect(await get(manifest.hash, rawManifests)).toBeUndefined();
    await records.put(record('x'));
    await del(manifest.hash, rawManifests);
    expect(await records.get(manifest.hash)).toBeUndefined();
    expect(await records.list()).toEqual([]);
  });
});
