/**
 * The code-sync channel's messages: the y-protocols sync encoding (step 1 = state vector,
 * step 2 = missing updates, update = incremental). Decoded strictly: one message per frame,
 * nothing trailing, known types only.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';

export type SyncMessage =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'step2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array };

const TYPE_OF = { step1: messageYjsSyncStep1, step2: messageYjsSyncStep2, update: messageYjsUpdate } as const;

export class SyncMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncMessageError';
  }
}

export function encodeSyncMessage(message: SyncMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, TYPE_OF[message.kind]);
  encoding.writeVarUint8Array(encoder, message.kind === 'step1' ? message.stateVector : message.update);
  return encoding.toUint8Array(encoder);
}

export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) throw new SyncMessageError('trailing bytes after sync message');
    switch (type) {
      case messageYjsSyncStep1:
        return { kind: 'step1', stateVector: payload };
      case messageYjsSyncStep2:
        return { kind: 'step2', update: payload };
      case messageYjsUpdate:
        return { kind: 'update', update: payload };
      default:
        throw new SyncMessageError(`unknown sync message type ${type}`);
    }
  } catch (error) {
    if (error instanceof SyncMessageError) throw error;
    throw new SyncMessageError(`truncated sync message: ${String(error)}`);
  }
}
