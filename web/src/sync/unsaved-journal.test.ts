import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../net/base64url.ts';
import { MAX_JOURNAL_CHARS, UnsavedJournal, type JournalStore } from './unsaved-journal.ts';

class MemoryStore implements JournalStore {
  readonly items = new Map<string, string>();
  writes = 0;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes++;
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.writes++;
    this.items.delete(key);
  }
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe('UnsavedJournal', () => {
  it('writes nothing when an update is appended, only on persist (base64url entries)', () => {
    const store = new MemoryStore();
    const journal = new UnsavedJournal(store, 'k');
    journal.append(bytes(1, 2, 3));
    journal.append(bytes(250, 251));
    expect(store.writes).toBe(0);
    journal.persist();
    expect(JSON.parse(store.getItem('k')!)).toEqual([toBase64Url(bytes(1, 2, 3)), toBase64Url(bytes(250, 251))]);
    journal.persist();
    expect(store.writes).toBe(1);
  });

  it('gives a later page the updates not confirmed, and confirm drops the older ones', () => {
    const store = new MemoryStore();
    const journal = new UnsavedJournal(store, 'k');
    const first = journal.append(bytes(1));
    journal.append(bytes(2, 3));
    journal.persist();
    journal.confirm(first);
    expect(journal.size).toBe(1);
    expect(new UnsavedJournal(store, 'k').takeLeftovers()).toEqual([bytes(2, 3)]);
    expect(store.getItem('k')).toBeNull();
  });

  it('stops at MAX_JOURNAL_CHARS of encoded text, counted without encoding', () => {
    const store = new MemoryStore();
    const journal = new UnsavedJournal(store, 'k');
    const update = new Uint8Array(3 * 1024); // 4 KiB of base64url
    let appended = 0;
    while (!journal.overflowed && appended < 1_000) {
      journal.append(update);
      appended++;
    }
    expect(journal.overflowed).toBe(true);
    expect(journal.size).toBe(MAX_JOURNAL_CHARS / 4096);
    journal.persist();
    expect(JSON.parse(store.getItem('k')!).join('').length).toBe(MAX_JOURNAL_CHARS);
  });

  it('counts the characters base64url really takes, whatever the length', () => {
    for (let n = 1000; n < 1012; n++) {
      const journal = new UnsavedJournal(new MemoryStore(), 'k');
      const fits = Math.floor(MAX_JOURNAL_CHARS / toBase64Url(new Uint8Array(n)).length);
      for (let i = 0; i < fits; i++) journal.append(new Uint8Array(n));
      expect(journal.overflowed, `${fits} updates of ${n} bytes fit`).toBe(false);
      journal.append(new Uint8Array(n));
      expect(journal.overflowed, `one more of ${n} bytes does not`).toBe(true);
    }
  });
});
