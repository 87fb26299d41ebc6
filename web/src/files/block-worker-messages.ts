/** Messages between the page (worker-blocks.ts) and the block worker (block-worker.ts). */

/** A block's bytes, moved (transferred) between threads, not copied. */
export interface MovedBytes {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

export type BlockWorkerRequest =
  | { readonly op: 'store'; readonly id: number; readonly hash: string; readonly index: number; readonly bytes: MovedBytes; readonly expected: string }
  | { readonly op: 'digest'; readonly id: number; readonly hash: string; readonly blocks: number };

export type BlockWorkerReply =
  /** Sent once at start: whether this browser gives workers OPFS sync access handles. */
  | { readonly t: 'ready'; readonly sync: boolean }
  | { readonly t: 'stored'; readonly id: number; readonly stored: boolean; readonly bytes: MovedBytes }
  | { readonly t: 'digest'; readonly id: number; readonly hash: string }
  | { readonly t: 'error'; readonly id: number; readonly message: string; readonly bytes: MovedBytes | null };

export function moved(bytes: Uint8Array): MovedBytes {
  return { buffer: bytes.buffer as ArrayBuffer, offset: bytes.byteOffset, length: bytes.length };
}

export function arrived(bytes: MovedBytes): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.offset, bytes.length);
}
