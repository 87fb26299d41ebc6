/**
 * A write-ahead journal of the updates not yet confirmed written to IndexedDB, kept in
 * localStorage. IndexedDB transactions still running when a page unloads are aborted, so the
 * last keystrokes before a fast reload or close would be lost; localStorage writes are
 * synchronous and survive the unload. Entries are removed as soon as IndexedDB confirms them,
 * so the journal normally holds a handful of keystrokes.
 */
import { fromBase64Url, toBase64Url } from '../net/base64url.ts';
import type { KeyValueStore } from './recent-rooms.ts';

/** Past this the journal stops growing (IndexedDB is then broken for long; we say so in the UI). */
export const MAX_JOURNAL_CHARS = 2 * 1024 * 1024;

export interface JournalStore extends KeyValueStore {
  removeItem(key: string): void;
}

/** Characters of `bytes` in base64url without padding. */
const encodedLength = (bytes: number): number => Math.ceil((bytes * 4) / 3);

export class UnsavedJournal {
  /** `data` is the update in base64url, made when the journal is first written with it. */
  private entries: Array<{ seq: number; update: Uint8Array; data: string | null }> = [];
  private nextSeq = 1;
  private chars = 0;
  private dirty = false;
  /** True when an update could not be journaled (storage full or missing). */
  overflowed = false;

  constructor(
    private readonly storage: JournalStore | null,
    private readonly key: string,
  ) {}

  /** Returns the updates left over from a previous page and empties the journal. */
  takeLeftovers(): Uint8Array[] {
    if (!this.storage) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(this.storage.getItem(this.key) ?? '[]');
    } catch {
      raw = [];
    }
    this.clear();
    if (!Array.isArray(raw)) return [];
    const updates: Uint8Array[] = [];
    for (const item of raw) {
      if (typeof item !== 'string') continue;
      try {
        updates.push(fromBase64Url(item));
      } catch {
        // Not ours or damaged: skip it, keep the rest.
      }
    }
    return updates;
  }

  /**
   * Records an update in memory; returns its sequence number. `persist()` writes the journal
   * out: the caller does it for a burst of updates at once (DocStore: JOURNAL_COALESCE_MS after
   * the first, or at once on `flush()`), after the keystroke was sent and painted. The update is
   * encoded then too, not in the task that received or typed it.
   */
  append(update: Uint8Array): number {
    const seq = this.nextSeq++;
    const chars = encodedLength(update.length);
    if (this.chars + chars > MAX_JOURNAL_CHARS) {
      this.overflowed = true;
      return seq;
    }
    this.entries.push({ seq, update, data: null });
    this.chars += chars;
    this.dirty = true;
    return seq;
  }

  /** Writes the journal to storage if it changed since the last write. */
  persist(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.write();
  }

  /** Drops every entry up to and including `seq`: IndexedDB has them. */
  confirm(seq: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.seq > seq);
    if (this.entries.length === before) return;
    this.chars = this.entries.reduce((n, e) => n + encodedLength(e.update.length), 0);
    if (this.entries.length === 0) this.overflowed = false;
    this.write();
  }

  /** The sequence number of the newest update appended so far. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get size(): number {
    return this.entries.length;
  }

  private clear(): void {
    this.entries = [];
    this.chars = 0;
    this.write();
  }

  private write(): void {
    if (!this.storage) return;
    try {
      if (this.entries.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.entries.map((e) => (e.data ??= toBase64Url(e.update)))));
    } catch {
      this.overflowed = true;
    }
  }
}
