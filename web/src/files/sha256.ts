/** SHA-256 for files: per block with WebCrypto, the whole file streamed through hash-wasm. */

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** SHA-256 of one block (WebCrypto: native speed in browsers, workers and Node). */
export async function hashBlock(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

export interface FileHasher {
  update(bytes: Uint8Array): void;
  digest(): string;
}

/**
 * The whole-file SHA-256, fed in order. WebCrypto cannot hash incrementally and a file may be
 * larger than memory, so this uses hash-wasm's streaming SHA-256 (loaded on first use: a page
 * joining a room should not wait for its 18 kB to compile).
 */
export async function createFileHasher(): Promise<FileHasher> {
  const { createSHA256 } = await import('hash-wasm');
  const hasher = await createSHA256();
  hasher.init();
  return { update: (bytes) => void hasher.update(bytes), digest: () => hasher.digest('hex') };
}
