/**
 * The receiver's stored record of a transfer (manifest, sender, held-block map, status), written
 * so an offer or a download survives a reload.
 */
import type { Incoming, IncomingStatus } from './incoming.ts';
import type { DownloadRecord, DownloadRecords } from './file-storage.ts';
import { MAX_BLOCKS } from './manifest.ts';

/**
 * Writes `t`'s record. Writes are coalesced: while one is under way, further calls only ask for
 * one more write of the then-latest state, so a disk slower than the link never piles up record
 * writes (one per stored block otherwise). Resolves once the state at call time (or a later one)
 * is written. A transfer no longer current (`isCurrent`: removed, replaced) or ended is not written.
 */
export function persistIncoming(records: DownloadRecords, t: Incoming, isCurrent: () => boolean): Promise<void> {
  t.persistAgain = true;
  t.persisting ??= (async () => {
    // Start after `t.persisting` is set: finishing synchronously would leave it set for good.
    await null;
    // Each round writes what was asked before it started; the bound is generous (one per block and status change).
    for (let round = 0; t.persistAgain && round < 4 * MAX_BLOCKS; round++) {
      t.persistAgain = false;
      const status = recordStatus(t.status);
      if (!status || !isCurrent()) break;
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
