import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memorySource } from './file-storage.ts';
import { BLOCK_BYTES, MAX_BLOCKS, blockCount, blockLength, buildManifest, cleanFileName, parseManifest } from './manifest.ts';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('manifest', () => {
  it('holds the whole-file SHA-256 and one SHA-256 per 1 MiB block', async () => {
    const bytes = new Uint8Array(randomBytes(2 * BLOCK_BYTES + 12345));
    const progress: number[] = [];
    const manifest = await buildManifest(memorySource(bytes), 'report.pdf', 'application/pdf', (done) => progress.push(done));
    expect(manifest.hash).toBe(sha(bytes));
    expect(manifest.blocks).toEqual([
      sha(bytes.subarray(0, BLOCK_BYTES)),
      sha(bytes.subarray(BLOCK_BYTES, 2 * BLOCK_BYTES)),
      sha(bytes.subarray(2 * BLOCK_BYTES)),
    ]);
    expect(manifest).toMatchObject({ name: 'report.pdf', size: bytes.length, type: 'application/pdf', blockBytes: BLOCK_BYTES });
    expect(progress.at(-1)).toBe(bytes.length);
    expect(parseManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
  });

  it('handles an empty file and exact block multiples', async () => {
    const empty = await buildManifest(memorySource(new Uint8Array(0)), 'empty', '');
    expect(empty.blocks).toEqual([]);
    expect(empty.hash).toBe(sha(new Uint8Array(0)));
    expect(blockCount(BLOCK_BYTES)).toBe(1);
    expect(blockCount(BLOCK_BYTES + 1)).toBe(2);
    expect(blockLength(BLOCK_BYTES + 1, 1)).toBe(1);
  });

  it('rejects manifests a correct peer never sends', async () => {
    const good = await buildManifest(memorySource(new Uint8Array(randomBytes(100))), 'a.txt', 'text/plain');
    const bad: unknown[] = [
      null,
      'manifest',
      { ...good, blocks: [] },
      { ...good, blocks: [...good.blocks, good.hash] },
      { ...good, hash: 'XYZ' },
      { ...good, hash: good.hash.toUpperCase() },
      { ...good, size: -1 },
      { ...good, size: 1.5 },
      { ...good, size: MAX_BLOCKS * BLOCK_BYTES + 1 },
      { ...good, name: '' },
      { ...good, name: 'x'.repeat(256) },
      { ...good, blockBytes: 4096 },
      { ...good, type: 't'.repeat(500) },
      { ...good, blocks: ['nothex'] },
    ];
    for (const raw of bad) expect(parseManifest(raw), JSON.stringify(raw)?.slice(0, 80)).toBeNull();
  });

  it('refuses to build a manifest for a file over the size limit', async () => {
    const huge = { size: MAX_BLOCKS * BLOCK_BYTES + 1, read: async () => new Uint8Array(0) };
    await expect(buildManifest(huge, 'huge', '')).rejects.toThrow(RangeError);
  });

  it('cleans file names from peers and pickers', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\notes.txt')).toBe('notes.txt');
    expect(cleanFileName('a\u0000b\u001fc.txt')).toBe('abc.txt');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName('   ')).toBe('file');
  });
});
