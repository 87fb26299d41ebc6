/**
 * The receiver's stored record of a transfer (manifest, sender, held-block map, status), written
 * so an offer or a download survives a reload.
 */
import type { Incoming, IncomingStatus } from './incoming.ts';
import type { DownloadRecord, DownloadRecords } from './file-storage.ts';
import { MAX_BLOCKS } from './manifest.ts';

/**
 * Progress alone (one more block held) is written at most this often: a record write per block
 * cost ~10 % of the receiver's throughput (IndexedDB transactions, 1 MiB blocks at link speed).
 * A reload then receives again what arrived since the last write (≲ 250 ms of the link), unless
 * the page flushed on its way out (`flushIncoming`, on pagehide).
 */
export const RECORD_PROGRESS_INTERVAL_MS = 250;

/**
 * Writes `t`'s record. Writes are coalesced: while one is under way, further calls only ask for
 * one more write of the then-latest state, so a disk slower than the link never piles up record
 * writes, and progress writes are spaced by RECORD_PROGRESS_INTERVAL_MS (status changes are not).
 * Resolves once the state at call time (or a later one) is written. A transfer no longer current
 * (`isCurrent`: removed, replaced) or ended is not written.
 */
export function persistIncoming(records: DownloadRecords, t: Incoming, isCurrent: () => boolean, now: () => number): Promise<void> {
  t.persistAgain = true;
  t.persisting ??= (async () => {
    // Start after `t.persisting` is set: finishing synchronously would leave it set for good.
    await null;
    // Each round writes what was asked before it started; the bound is generous (one per block and status change).
    for (let round = 0; t.persistAgain && round < 4 * MAX_BLOCKS; round++) {
      t.persistAgain = false;
      let status = recordStatus(t.status);
      if (!status || !isCurrent()) break;
      const wait = status === 'receiving' && t.persistedStatus === 'receiving' ? t.persistedAt + RECORD_PROGRESS_INTERVAL_MS - now() : 0;
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          t.wakePersist = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        t.wakePersist = null;
        status = recordStatus(t.status);
        if (!status || !isCurrent()) break;
      }
      t.persistedAt = now();
      t.persistedStatus = status;
      const record: DownloadRecord = {
        hash: t.manifest.hash,
        id: t.id,
        from: t.peer,
        fromName: t.fromName,
        manifest: t.manifest,
        have: t.have.encode(),
        status,
        offeredAt: t.offeredAt,
      };
      await records.put(record).catch(() => undefined);
    }
    t.persisting = null;
  })();
  return t.persisting;
}

/** Writes a spaced progress write now (the page is being hidden or left); resolves when written. */
export function flushIncoming(t: Incoming): Promise<void> {
  t.wakePersist?.();
  return t.persisting ?? Promise.resolve();
}

/** Deletes the record of an offer that was declined (or replaced), if it is this offer's. */
export async function forgetOffer(records: DownloadRecords, t: Incoming): Promise<void> {
  await t.persisting;
  const record = await records.get(t.manifest.hash).catch(() => undefined);
  if (record?.status === 'offered' && record.id === t.id && record.from === t.peer) await records.delete(t.manifest.hash).catch(() => undefined);
}

function recordStatus(status: IncomingStatus): DownloadRecord['status'] | null {
  if (status === 'offered') return 'offered';
  if (status === 'verified') return 'verified';
  return status === 'receiving' || status === 'verifying' || status === 'paused' ? 'receiving' : null;
}
