/**
 * Frames of the lossy, unordered `cursor-pos` channel. Binary, one frame per message:
 *   u8 version | varuint seq | varuint yjs client id | u8 flags (1 = has selection)
 *   [ varUint8Array anchor | varUint8Array head ]   (Yjs relative positions)
 * `seq` increases per sender; a frame older than one already applied is dropped, since the
 * channel may deliver out of order.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const CURSOR_FRAME_VERSION = 1;
const MAX_POSITION_BYTES = 256;

export interface CursorFrame {
  readonly seq: number;
  readonly client: number;
  readonly selection: { readonly anchor: Uint8Array; readonly head: Uint8Array } | null;
}

export class CursorFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CursorFrameError';
  }
}

export function encodeCursorFrame(frame: CursorFrame): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, CURSOR_FRAME_VERSION);
  encoding.writeVarUint(encoder, frame.seq);
  encoding.writeVarUint(encoder, frame.client);
  encoding.writeUint8(encoder, frame.selection ? 1 : 0);
  if (frame.selection) {
    encoding.writeVarUint8Array(encoder, frame.selection.anchor);
    encoding.writeVarUint8Array(encoder, frame.selection.head);
  }
  return encoding.toUint8Array(encoder);
}

export function decodeCursorFrame(bytes: Uint8Array): CursorFrame {
  try {
    const decoder = decoding.createDecoder(bytes);
    const version = decoding.readUint8(decoder);
    if (version !== CURSOR_FRAME_VERSION) throw new CursorFrameError(`unknown cursor frame version ${version}`);
    const seq = decoding.readVarUint(decoder);
    const client = decoding.readVarUint(decoder);
    const flags = decoding.readUint8(decoder);
    if (flags > 1) throw new CursorFrameError('unknown cursor frame flags');
    let selection: CursorFrame['selection'] = null;
    if (flags === 1) {
      const anchor = decoding.readVarUint8Array(decoder);
      const head = decoding.readVarUint8Array(decoder);
      if (anchor.length > MAX_POSITION_BYTES || head.length > MAX_POSITION_BYTES) throw new CursorFrameError('cursor position too large');
      selection = { anchor, head };
    }
    if (decoding.hasContent(decoder)) throw new CursorFrameError('trailing bytes in cursor frame');
    return { seq, client, selection };
  } catch (error) {
    if (error instanceof CursorFrameError) throw error;
    throw new CursorFrameError(`truncated cursor frame: ${String(error)}`);
  }
}

/** Per-sender ordering for an unordered channel: accepts only frames newer than the last applied. */
export class StaleFrameFilter {
  private readonly latest = new Map<string, number>();

  accept(sender: string, seq: number): boolean {
    const last = this.latest.get(sender);
    if (last !== undefined && seq <= last) return false;
    this.latest.set(sender, seq);
    return true;
  }

  forget(sender: string): void {
    this.latest.delete(sender);
  }
}
