/**
 * Keeps a room's Yjs document in IndexedDB with y-indexeddb, hardened against its known ways
 * of losing edits:
 * - y-indexeddb writes each update in its own transaction from inside Yjs' update handler; if
 *   the database connection is closing, that throws into Yjs (and the editor), and the update is
 *   gone. We take over the writer: updates are queued, gathered for WRITE_COALESCE_MS, written
 *   in a transaction we track, and re-queued if it fails; the database is reopened when the
 *   browser closes it under us. Nothing ever throws into a Yjs handler.
 * - Transactions still running when the page unloads are aborted, so the last keystrokes before
 *   a fast reload or close would be lost: the queued updates are also journaled synchronously in
 *   localStorage (JOURNAL_COALESCE_MS after the first) until IndexedDB confirms them
 *   (unsaved-journal.ts), and replayed on the next open. `flush()` (on `pagehide` and when
 *   hidden) journals and writes what is queued at once. Between two flushes only a crash of the
 *   page can lose edits (at most JOURNAL_COALESCE_MS).
 * - A failed first open would leave y-indexeddb waiting forever: loading gives up after
 *   LOAD_TIMEOUT_MS (the room still works, unsaved) and keeps trying to open in the background.
 * Loading and compaction (merging the update log once it is long) stay y-indexeddb's.
 */
import * as idb from 'lib0/indexeddb';
import { IndexeddbPersistence, PREFERRED_TRIM_SIZE, storeState } from 'y-indexeddb';
import * as Y from 'yjs';
import { UnsavedJournal, type JournalStore } from './unsaved-journal.ts';

export const LOAD_TIMEOUT_MS = 5_000;
/**
 * The journal is written this long after an update, gathering the updates meanwhile: a
 * localStorage write per keystroke cost a receiving page main thread before it could paint the
 * remote keystroke.
 */
export const JOURNAL_COALESCE_MS = 50;
/**
 * IndexedDB gets the updates this long after the first of them, in one transaction (merged). At
 * 50 ms, while one peer typed in a room of 8 (a keystroke every 30 ms), each page wrote most
 * keystrokes in a transaction of their own: ~2.5 ms of main thread per keystroke per page
 * (profiled), and all pages together spent 1.05–1.23 × y-webrtc's CPU per keystroke (bench P2,
 * 8 peers, 4 runs); at 500 ms, 0.93–1.02 × (4 runs), and keystroke p99 ratios of 0.98–1.40
 * instead of 1.0–1.9. The journal covers the wait.
 */
export const STORE_COALESCE_MS = 500;
export const REOPEN_DELAYS_MS = [100, 500, 2_000, 5_000] as const;
const TRIM_DEBOUNCE_MS = 1_000;
const JOURNAL_ORIGIN = Symbol('meshpad-unsaved-journal');

export type SaveStatus = 'loading' | 'saving' | 'saved' | 'error';

export function roomDocName(roomId: string): string {
  return `meshpad-room-${roomId}`;
}

export class DocStore {
  private readonly persistence: IndexeddbPersistence;
  private pending: Array<{ seq: number; update: Uint8Array }> = [];
  private readonly journal: UnsavedJournal;
  private inflight = 0;
  private lastTx: IDBTransaction | null = null;
  private flushQueued = false;
  private reopenAttempt = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;
  private trimTimer: ReturnType<typeof setTimeout> | null = null;
  private journalTimer: ReturnType<typeof setTimeout> | null = null;
  private writeTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private current: SaveStatus = 'loading';
  private readonly listeners = new Set<() => void>();
  /** The last storage error, for the UI. */
  error: string | null = null;
  readonly whenLoaded: Promise<void>;

  constructor(
    private readonly doc: Y.Doc,
    private readonly name: string,
    journalStore: JournalStore | null = globalThis.localStorage ?? null,
  ) {
    this.journal = new UnsavedJournal(journalStore, `meshpad:unsaved:${name}`);
    this.persistence = new IndexeddbPersistence(name, doc);
    doc.off('update', this.persistence._storeUpdate);
    doc.on('update', this.onUpdate);
    // Keystrokes a previous page typed but IndexedDB never confirmed: apply them again (they are
    // journaled and written anew through onUpdate; Yjs ignores what the database already has).
    const leftovers = this.journal.takeLeftovers();
    if (leftovers.length > 0) {
      try {
        Y.applyUpdate(doc, Y.mergeUpdates(leftovers), JOURNAL_ORIGIN);
      } catch (error) {
        this.fail(error);
      }
    }
    this.persistence._db.then(
      (db) => this.watch(db),
      (error: unknown) => this.fail(error),
    );
    const loaded = this.persistence.whenSynced.then(() => {
      this.flush();
      this.settle();
    });
    this.whenLoaded = Promise.race([
      loaded,
      new Promise<void>((resolve) => setTimeout(resolve, LOAD_TIMEOUT_MS)),
    ]);
  }

  /** Listeners hear of a new edit at the end of its task; the status itself is never behind. */
  get status(): SaveStatus {
    return this.current === 'saved' && this.pending.length > 0 ? 'saving' : this.current;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what is queued now and asks the browser to commit without waiting (pagehide). */
  flush(): void {
    this.journal.persist();
    this.cancelTimers();
    if (this.pending.length > 0) this.write();
    try {
      this.lastTx?.commit?.();
    } catch {
      // Already committing or finished.
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.flush();
    this.destroyed = true;
    this.doc.off('update', this.onUpdate);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    if (this.trimTimer) clearTimeout(this.trimTimer);
    this.listeners.clear();
    // close() lets transactions already started finish.
    await this.persistence.destroy().catch(() => undefined);
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.persistence || this.destroyed) return;
    this.pending.push({ seq: this.journal.append(update), update });
    if (this.flushQueued) return;
    this.flushQueued = true;
    // The status waits for the end of the task, storage longer, so a keystroke reaches the
    // code-sync provider (the next update listener), the network and the screen first.
    queueMicrotask(() => {
      this.flushQueued = false;
      this.setStatus('saving');
      // Journal first (synchronous, survives an unload), then the IndexedDB write.
      this.journalTimer ??= setTimeout(() => {
        this.journalTimer = null;
        this.journal.persist();
      }, JOURNAL_COALESCE_MS);
      this.writeTimer ??= setTimeout(() => {
        this.writeTimer = null;
        this.journal.persist();
        this.write();
      }, STORE_COALESCE_MS);
    });
  };

  private cancelTimers(): void {
    if (this.journalTimer !== null) clearTimeout(this.journalTimer);
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.journalTimer = null;
    this.writeTimer = null;
  }

  private write(): void {
    const db = this.persistence.db;
    if (!db || this.pending.length === 0 || this.destroyed) return;
    const batch = this.pending;
    this.pending = [];
    const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((p) => p.update));
    const lastSeq = batch[batch.length - 1]!.seq;
    let tx: IDBTransaction;
    try {
      tx = db.transaction(['updates'], 'readwrite');
      tx.objectStore('updates').add(update);
    } catch (error) {
      this.pending = [...batch, ...this.pending];
      this.lost(db, error);
      return;
    }
    this.inflight++;
    this.lastTx = tx;
    tx.oncomplete = () => {
      this.inflight--;
      if (this.lastTx === tx) this.lastTx = null;
      this.persistence._dbsize++;
      this.journal.confirm(lastSeq);
      this.scheduleTrim();
      this.settle();
    };
    tx.onabort = () => {
      this.inflight--;
      if (this.lastTx === tx) this.lastTx = null;
      this.pending = [...batch, ...this.pending];
      this.lost(db, tx.error ?? new Error('transaction aborted'));
    };
  }

  private scheduleTrim(): void {
    if (this.persistence._dbsize < PREFERRED_TRIM_SIZE || this.trimTimer) return;
    this.trimTimer = setTimeout(() => {
      this.trimTimer = null;
      if (this.persistence.db && !this.destroyed) storeState(this.persistence, false).catch((error: unknown) => this.fail(error));
    }, TRIM_DEBOUNCE_MS);
  }

  private watch(db: IDBDatabase): void {
    // The browser may close the connection (storage pressure, the user clearing data).
    db.addEventListener('close', () => this.lost(db, new Error('the browser closed the database')));
    // Another tab wants to upgrade or delete the database: let it, then come back.
    db.onversionchange = () => {
      db.close();
      this.lost(db, new Error('the database is being changed by another tab'));
    };
  }

  private lost(db: IDBDatabase, error: unknown): void {
    if (this.persistence.db === db) this.persistence.db = null;
    this.fail(error);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.destroyed || this.reopenTimer) return;
    const delay = REOPEN_DELAYS_MS[Math.min(this.reopenAttempt, REOPEN_DELAYS_MS.length - 1)]!;
    this.reopenAttempt++;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      void this.reopen();
    }, delay);
  }

  private async reopen(): Promise<void> {
    if (this.destroyed || this.persistence.db) return;
    try {
      const db = await idb.openDB(this.name, (fresh) =>
        idb.createStores(fresh, [['updates', { autoIncrement: true }], ['custom']]),
      );
      if (this.destroyed) {
        db.close();
        return;
      }
      this.watch(db);
      this.persistence.db = db;
      this.persistence._db = Promise.resolve(db);
      this.reopenAttempt = 0;
      this.error = null;
      // Whatever we queued plus the whole state: the database may have been cleared meanwhile.
      this.pending.push({ seq: this.journal.lastSeq, update: Y.encodeStateAsUpdate(this.doc) });
      this.write();
      this.settle();
    } catch (error) {
      this.fail(error);
      this.scheduleReopen();
    }
  }

  private fail(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.setStatus('error');
  }

  private settle(): void {
    if (this.destroyed) return;
    if (!this.persistence.db) return;
    this.setStatus(this.pending.length > 0 || this.inflight > 0 ? 'saving' : 'saved');
  }

  private setStatus(status: SaveStatus): void {
    if (this.current === status) return;
    this.current = status;
    for (const listener of [...this.listeners]) listener();
  }
}
