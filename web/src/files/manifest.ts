/**
 * A file's manifest: what a receiver needs to know before accepting, and to check every byte.
 * Content-addressed: `hash` is the SHA-256 of the whole file, `blocks` the SHA-256 of each
 * BLOCK_BYTES block (the last one may be shorter). Hashes are lowercase hex.
 */
import * as v from 'valibot';
import { createFileHasher, hashBlock } from './sha256.ts';

export const BLOCK_BYTES = 1024 * 1024;
/** 8 GiB; keeps an offer (64 hex chars per block) well under the channel's 1 MiB message cap. */
export const MAX_BLOCKS = 8192;
export const MAX_FILE_BYTES = MAX_BLOCKS * BLOCK_BYTES;
export const MAX_FILE_NAME_CHARS = 255;
export const MAX_MIME_CHARS = 127;

const Hex256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

export const ManifestSchema = v.pipe(
  v.object({
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_FILE_NAME_CHARS)),
    size: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_FILE_BYTES)),
    type: v.pipe(v.string(), v.maxLength(MAX_MIME_CHARS)),
    hash: Hex256,
    blockBytes: v.literal(BLOCK_BYTES),
    blocks: v.pipe(v.array(Hex256), v.maxLength(MAX_BLOCKS)),
  }),
  v.check((m) => m.blocks.length === blockCount(m.size), 'block hashes do not match the size'),
);
export type Manifest = v.InferOutput<typeof ManifestSchema>;

/** Where a sender's bytes come from: a File in the browser, memory in tests. */
export interface BlockSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blockCount(size: number): number {
  return size === 0 ? 0 : Math.ceil(size / BLOCK_BYTES);
}

/** Byte length of block `index` of a file of `size` bytes. */
export function blockLength(size: number, index: number): number {
  return Math.min(BLOCK_BYTES, size - index * BLOCK_BYTES);
}

/** Cleans a user-supplied file name for showing and saving: no path parts, no control characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_FILE_NAME_CHARS);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

/** Reads `source` once, block by block (never all of it in memory), hashing each block and the whole. */
export async function buildManifest(source: BlockSource, name: string, type: string, onProgress?: (bytes: number) => void): Promise<Manifest> {
  if (source.size > MAX_FILE_BYTES) throw new RangeError(`files larger than ${MAX_FILE_BYTES} bytes cannot be sent`);
  const whole = await createFileHasher();
  const blocks: string[] = [];
  for (let index = 0; index < blockCount(source.size); index++) {
    const bytes = await source.read(index * BLOCK_BYTES, blockLength(source.size, index));
    whole.update(bytes);
    blocks.push(await hashBlock(bytes));
    onProgress?.(index * BLOCK_BYTES + bytes.length);
  }
  return { name: cleanFileName(name), size: source.size, type: type.slice(0, MAX_MIME_CHARS), hash: whole.digest(), blockBytes: BLOCK_BYTES, blocks };
}

export function parseManifest(raw: unknown): Manifest | null {
  const result = v.safeParse(ManifestSchema, raw);
  return result.success ? result.output : null;
}
