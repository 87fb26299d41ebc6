/**
 * Download records in IndexedDB, with each manifest stored apart from its record. A record is
 * rewritten after every stored block (its held-block map) while the manifest never changes, and
 * a manifest carries 64 hex characters per 1 MiB block: kept inside the record, a 2 GB download
 * would write ~130 KB per block, ~270 MB in all, growing with the square of the file's size. So
 * the manifest is written once (again only if another offer of the same file replaced it) and
 * the per-block record stays a few hundred bytes. Records from before this split, with their
 * manifest inside, still read as they are.
 */
import { createStore, del, entries, get, set, values, type UseStore } from 'idb-keyval';
import type { DownloadRecord, DownloadRecords } from './file-storage.ts';
import type { Manifest } from './manifest.ts';

/** What is kept per download in the records store (older records also hold `manifest`). */
type StoredRecord = Omit<DownloadRecord, 'manifest'> & { readonly manifest?: Manifest };

export class IdbRecords implements DownloadRecords {
  private readonly records: UseStore;
  private readonly manifests: UseStore;
  /** The manifest object last written per hash by this page, so an unchanged one is not written again. */
  private readonly written = new Map<string, Manifest>();

  constructor(database = 'meshpad-files') {
    this.records = createStore(database, 'downloads');
    this.manifests = createStore(`${database}-manifests`, 'manifests');
  }

  async get(hash: string): Promise<DownloadRecord | undefined> {
    const record = await get<StoredRecord>(hash, this.records);
    if (!record) return undefined;
    return withManifest(record, record.manifest ?? (await get<Manifest>(hash, this.manifests)));
  }

  async put(record: DownloadRecord): Promise<void> {
    const { manifest, ...rest } = record;
    // The manifest first: a record is never stored without the manifest it needs.
    if (this.written.get(record.hash) !== manifest) {
      await set(record.hash, manifest, this.manifests);
      this.written.set(record.hash, manifest);
    }
    await set(record.hash, rest satisfies StoredRecord, this.records);
  }

  async delete(hash: string): Promise<void> {
    this.written.delete(hash);
    await del(hash, this.records);
    await del(hash, this.manifests);
  }

  async list(): Promise<DownloadRecord[]> {
    const [records, manifests] = await Promise.all([values<StoredRecord>(this.records), entries<string, Manifest>(this.manifests)]);
    const byHash = new Map(manifests);
    return records.flatMap((record) => withManifest(record, record.manifest ?? byHash.get(record.hash)) ?? []);
  }
}

/** A record whose manifest is gone (storage cleared in part) is no download: left out. */
function withManifest(record: StoredRecord, manifest: Manifest | undefined): DownloadRecord | undefined {
  return manifest ? { ...record, manifest } : undefined;
}
