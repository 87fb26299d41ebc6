import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocStore, JOURNAL_COALESCE_MS, REOPEN_DELAYS_MS, STORE_COALESCE_MS, roomDocName } from './doc-store.ts';

let counter = 0;
const freshName = () => roomDocName(`test-room-${++counter}-${Math.random().toString(36).slice(2)}`);

function whenStatus(store: DocStore, status: DocStore['status'], timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (store.status === status) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status stayed ${store.status}, wanted ${status}`));
    }, timeoutMs);
    const off = store.subscribe(() => {
      if (store.status !== status) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function reload(name: string): Promise<string> {
  const doc = new Y.Doc();
  const store = new DocStore(doc, name);
  await store.whenLoaded;
  const text = doc.getText('code').toString();
  await store.destroy();
  return text;
}

describe('DocStore', () => {
  it('saves edits and loads them into a fresh document', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name);
    await store.whenLoaded;
    expect(store.status).toBe('saved');
    doc.getText('code').insert(0, 'hello');
    expect(store.status).toBe('saving');
    await whenStatus(store, 'saved');
    doc.getText('code').insert(5, ' world');
    await store.destroy();
    expect(await reload(name)).toBe('hello world');
  });

  it('keeps edits made before the database opened', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name);
    doc.getText('code').insert(0, 'typed at once');
    await store.whenLoaded;
    await whenStatus(store, 'saved');
    await store.destroy();
    expect(await reload(name)).toBe('typed at once');
  });

  it('merges what was stored with what another source already put in the document', async () => {
    const name = freshName();
    const first = new Y.Doc();
    const store = new DocStore(first, name);
    first.getText('code').insert(0, 'stored ');
    await whenStatus(store, 'saved');
    await store.destroy();
    const second = new Y.Doc();
    Y.applyUpdate(second, Y.encodeStateAsUpdate(first));
    second.getText('code').insert(7, 'and more');
    const again = new DocStore(second, name);
    await again.whenLoaded;
    await whenStatus(again, 'saved');
    await again.destroy();
    expect(await reload(name)).toBe('stored and more');
  });

  it('never throws into Yjs when the database closes under it, and reopens without losing edits', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name);
    await store.whenLoaded;
    store['persistence'].db!.close();
    expect(() => doc.getText('code').insert(0, 'while closed')).not.toThrow();
    // The write (STORE_COALESCE_MS later) finds the database closed.
    await whenStatus(store, 'error');
    await whenStatus(store, 'saved', REOPEN_DELAYS_MS[0] + 2_000);
    doc.getText('code').insert(0, 'after reopen, ');
    await whenStatus(store, 'saved');
    await store.destroy();
    expect(await reload(name)).toBe('after reopen, while closed');
  });

  it('steps aside when another tab upgrades the database, then comes back', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name);
    await store.whenLoaded;
    doc.getText('code').insert(0, 'before');
    await whenStatus(store, 'saved');
    const upgrade = indexedDB.open(name, 5);
    await new Promise<void>((resolve, reject) => {
      upgrade.onsuccess = () => {
        upgrade.result.close();
        resolve();
      };
      upgrade.onerror = () => reject(upgrade.error);
    });
    doc.getText('code').insert(6, ' and after');
    await whenStatus(store, 'saved', 5_000);
    await store.destroy();
    expect(await reload(name)).toBe('before and after');
  });

  it('flush() writes queued edits at once', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name);
    await store.whenLoaded;
    doc.getText('code').insert(0, 'quick');
    store.flush();
    expect(store['pending']).toEqual([]);
    await whenStatus(store, 'saved');
    await store.destroy();
    expect(await reload(name)).toBe('quick');
  });
});

describe('DocStore unsaved journal', () => {
  /** Counts the read-write transactions the store's database starts from now on. */
  function countWrites(store: DocStore): () => number {
    const db = store['persistence'].db!;
    const transaction = db.transaction.bind(db);
    let writes = 0;
    db.transaction = ((stores: string[], mode: IDBTransactionMode) => {
      if (mode === 'readwrite') writes++;
      return transaction(stores, mode);
    }) as typeof db.transaction;
    return () => writes;
  }

  function memoryJournal() {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
  }

  it('journals every update until IndexedDB confirms it', async () => {
    const journal = memoryJournal();
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, journal);
    await store.whenLoaded;
    doc.getText('code').insert(0, 'abc');
    await Promise.resolve();
    expect(journal.data.get(`meshpad:unsaved:${name}`), 'journaled with the IndexedDB write, not per keystroke').toBeUndefined();
    // flush() (pagehide, hidden) journals at once, before any IndexedDB transaction can finish.
    store.flush();
    expect(journal.data.get(`meshpad:unsaved:${name}`)).toBeDefined();
    await whenStatus(store, 'saved');
    expect(journal.data.has(`meshpad:unsaved:${name}`)).toBe(false);
    await store.destroy();
  });

  it('writes a burst of updates to the journal once', async () => {
    const journal = memoryJournal();
    let writes = 0;
    const counting = { ...journal, setItem: (k: string, v: string) => (writes++, journal.setItem(k, v)) };
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, counting);
    await store.whenLoaded;
    writes = 0;
    for (let i = 0; i < 1000; i++) doc.getText('code').insert(0, 'x');
    await new Promise((resolve) => setTimeout(resolve, 0));
    doc.getText('code').insert(0, 'y');
    await whenStatus(store, 'saved');
    expect(writes).toBe(1);
    await store.destroy();
  });

  it('journals an update after JOURNAL_COALESCE_MS and writes IndexedDB only after STORE_COALESCE_MS', async () => {
    const journal = memoryJournal();
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, journal);
    await store.whenLoaded;
    const writes = countWrites(store);
    const started = Date.now();
    doc.getText('code').insert(0, 'k');
    expect(journal.data.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, JOURNAL_COALESCE_MS + 20));
    expect(journal.data.size).toBe(1);
    if (Date.now() - started < STORE_COALESCE_MS) expect(writes()).toBe(0);
    await whenStatus(store, 'saved');
    expect(Date.now() - started).toBeGreaterThanOrEqual(STORE_COALESCE_MS - 1);
    expect(writes()).toBe(1);
    await store.destroy();
    expect(await reload(name)).toBe('k');
  });

  it('gathers the updates of several tasks within STORE_COALESCE_MS into one IndexedDB transaction', async () => {
    const name = freshName();
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, memoryJournal());
    await store.whenLoaded;
    const writes = countWrites(store);
    for (const key of 'abc') {
      doc.getText('code').insert(0, key);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await whenStatus(store, 'saved');
    expect(writes()).toBe(1);
    await store.destroy();
    expect(await reload(name)).toBe('cba');
  });

  it('replays keystrokes a previous page never got into IndexedDB', async () => {
    const journal = memoryJournal();
    const name = freshName();
    // The previous page: its last edit reached the journal but not the database.
    const previous = new Y.Doc();
    previous.getText('code').insert(0, 'typed just before reload');
    const lastKeystrokes = Y.encodeStateAsUpdate(previous);
    journal.setItem(`meshpad:unsaved:${name}`, JSON.stringify([Buffer.from(lastKeystrokes).toString('base64url'), 'not base64!']));
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, journal);
    await store.whenLoaded;
    expect(doc.getText('code').toString()).toBe('typed just before reload');
    await whenStatus(store, 'saved');
    expect(journal.data.has(`meshpad:unsaved:${name}`)).toBe(false);
    await store.destroy();
    expect(await reload(name)).toBe('typed just before reload');
  });

  it('ignores a damaged journal', async () => {
    const journal = memoryJournal();
    const name = freshName();
    journal.setItem(`meshpad:unsaved:${name}`, '{not json');
    const doc = new Y.Doc();
    const store = new DocStore(doc, name, journal);
    await store.whenLoaded;
    expect(doc.getText('code').toString()).toBe('');
    await store.destroy();
  });
});
