/**
 * Messages of the `files` channel (reliable, ordered). The first byte says which kind:
 *   0x00 control: JSON in UTF-8, validated with valibot (see ControlSchema);
 *   0x01 chunk:   u32 session, u32 block, u32 offset in the block (big endian), then 1..CHUNK_BYTES
 *                 bytes of the file. One chunk fits one frame of the frame codec.
 * Control messages:
 *   offer   sender → receiver  a file (manifest) and who offers it
 *   accept  receiver → sender  send me what I lack: `have` block map, a partly received block
 *                              (`partial`), a fresh `session` number that the chunks carry, and
 *                              the flow-control window `upTo`: how many blocks the sender may
 *                              start in this session (also sent to resume after a reconnect or
 *                              a reload)
 *   credit  receiver → sender  blocks left our memory (stored, or dropped after a failed hash):
 *                              the sender may now start `upTo` blocks in this session in total
 *   decline receiver → sender
 *   cancel  either way         stops the transfer for both, with a code and a reason
 *   need    receiver → sender  a block failed its hash: send it again in this session
 *   done    receiver → sender  every block stored and the whole-file SHA-256 matched
 */
import * as v from 'valibot';
import { MAX_FRAME_BYTES, WholeFrame } from '../net/frame-codec.ts';
import { decodeJsonMessage, encodeJsonMessage } from '../net/json-message.ts';
import { ManifestSchema } from './manifest.ts';

/**
 * 2: flow control (`accept.upTo`, `credit`); 3: acks (the in-flight window). Control messages of
 * another version are ignored, not a reason to drop the peer.
 */
export const FILES_MESSAGE_VERSION = 3;
const CONTROL = 0x00;
const CHUNK = 0x01;
const ACK = 0x02;
/** A chunk after which the receiver acks at once (same layout as CHUNK). */
const CHUNK_ACK_NOW = 0x03;
/** u32 session: "ack what you have of this session now". */
const ACK_REQUEST = 0x04;
const ACK_REQUEST_BYTES = 5;
export const CHUNK_HEADER_BYTES = 13;
/** kind, u32 session, f64 bytes (an integer: chunk bytes received in the session so far). */
const ACK_BYTES = 13;
/** Largest chunk payload: exactly one whole frame. */
export const CHUNK_BYTES = MAX_FRAME_BYTES - 1 - CHUNK_HEADER_BYTES;
export const MAX_REASON_CHARS = 200;
const MAX_SESSION = 0xffffffff;

const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,32}$/));
const Session = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_SESSION));
const Index = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A cumulative count of block starts granted in a session. */
const Credit = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SESSION));

const ControlSchema = v.variant('t', [
  v.object({ v: v.literal(FILES_MESSAGE_VERSION), t: v.literal('offer'), id: Id, from: v.pipe(v.string(), v.minLength(1), v.maxLength(40)), manifest: ManifestSchema }),
  v.object({
    v: v.literal(FILES_MESSAGE_VERSION),
    t: v.literal('accept'),
    id: Id,
    session: Session,
    have: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]*$/), v.maxLength(2048)),
    partial: v.nullable(v.object({ block: Index, bytes: v.pipe(Index, v.minValue(1)) })),
    upTo: Credit,
  }),
  v.object({ v: v.literal(FILES_MESSAGE_VERSION), t: v.literal('credit'), id: Id, session: Session, upTo: Credit }),
  v.object({ v: v.literal(FILES_MESSAGE_VERSION), t: v.literal('decline'), id: Id }),
  v.object({
    v: v.literal(FILES_MESSAGE_VERSION),
    t: v.literal('cancel'),
    id: Id,
    /** cancelled: by a person; unavailable: the sender no longer has the file (keep what arrived); failed: an error. */
    code: v.picklist(['cancelled', 'unavailable', 'failed']),
    reason: v.pipe(v.string(), v.maxLength(MAX_REASON_CHARS)),
  }),
  v.object({ v: v.literal(FILES_MESSAGE_VERSION), t: v.literal('need'), id: Id, session: Session, block: Index }),
  v.object({ v: v.literal(FILES_MESSAGE_VERSION), t: v.literal('done'), id: Id }),
]);

export type ControlMessage = v.InferOutput<typeof ControlSchema>;
/** A control message without the version field (added by encodeControl). */
export type OutgoingControl = ControlMessage extends infer M ? (M extends ControlMessage ? Omit<M, 'v'> : never) : never;

export interface Chunk {
  readonly session: number;
  readonly block: number;
  readonly offset: number;
  readonly data: Uint8Array;
  /** The receiver acks right after this chunk (otherwise only when asked: ack request). */
  readonly ackNow: boolean;
}

/** The receiver has had `bytes` chunk bytes of `session` (cumulative); sent after every chunk. */
export interface Ack {
  readonly session: number;
  readonly bytes: number;
}

export type FilesMessage =
  | { readonly kind: 'control'; readonly message: ControlMessage }
  | ({ readonly kind: 'chunk' } & Chunk)
  | ({ readonly kind: 'ack' } & Ack)
  | { readonly kind: 'ack-request'; readonly session: number }
  /** A control message of another protocol version (a peer running an older or newer app). */
  | { readonly kind: 'unsupported'; readonly version: number };

const VersionOnly = v.object({ v: v.pipe(v.number(), v.integer(), v.minValue(0)) });

export function encodeControl(message: OutgoingControl): Uint8Array {
  const json = encodeJsonMessage({ v: FILES_MESSAGE_VERSION, ...message });
  const out = new Uint8Array(json.length + 1);
  out[0] = CONTROL;
  out.set(json, 1);
  return out;
}

/** Built in its frame: the chunk's bytes are copied once on their way to the link. */
export function encodeChunk(chunk: Omit<Chunk, 'ackNow'> & { readonly ackNow?: boolean }): WholeFrame {
  if (chunk.data.length === 0 || chunk.data.length > CHUNK_BYTES) throw new RangeError(`chunk of ${chunk.data.length} bytes`);
  const framed = new WholeFrame(CHUNK_HEADER_BYTES + chunk.data.length);
  const out = framed.body;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = chunk.ackNow ? CHUNK_ACK_NOW : CHUNK;
  view.setUint32(1, chunk.session);
  view.setUint32(5, chunk.block);
  view.setUint32(9, chunk.offset);
  out.set(chunk.data, CHUNK_HEADER_BYTES);
  return framed;
}

/** Binary, not JSON: one goes back for every chunk, and decoding it must cost next to nothing. */
export function encodeAck(ack: Ack): Uint8Array {
  const out = new Uint8Array(ACK_BYTES);
  const view = new DataView(out.buffer);
  out[0] = ACK;
  view.setUint32(1, ack.session);
  view.setFloat64(5, ack.bytes);
  return out;
}

export function encodeAckRequest(session: number): Uint8Array {
  const out = new Uint8Array(ACK_REQUEST_BYTES);
  out[0] = ACK_REQUEST;
  new DataView(out.buffer).setUint32(1, session);
  return out;
}

/** Null for anything a correct peer never sends (the caller drops that peer). */
export function decodeFilesMessage(bytes: Uint8Array): FilesMessage | null {
  if (bytes.length === 0) return null;
  if (bytes[0] === CONTROL) {
    const message = decodeJsonMessage(ControlSchema, bytes.subarray(1));
    if (message) return { kind: 'control', message };
    const other = decodeJsonMessage(VersionOnly, bytes.subarray(1));
    return other && other.v !== FILES_MESSAGE_VERSION ? { kind: 'unsupported', version: other.v } : null;
  }
  if (bytes[0] === CHUNK || bytes[0] === CHUNK_ACK_NOW) {
    if (bytes.length <= CHUNK_HEADER_BYTES || bytes.length > CHUNK_HEADER_BYTES + CHUNK_BYTES) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const session = view.getUint32(1);
    if (session === 0) return null;
    const ackNow = bytes[0] === CHUNK_ACK_NOW;
    return { kind: 'chunk', session, block: view.getUint32(5), offset: view.getUint32(9), data: bytes.subarray(CHUNK_HEADER_BYTES), ackNow };
  }
  if (bytes[0] === ACK_REQUEST) {
    if (bytes.length !== ACK_REQUEST_BYTES) return null;
    const session = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
    return session === 0 ? null : { kind: 'ack-request', session };
  }
  if (bytes[0] === ACK) {
    if (bytes.length !== ACK_BYTES) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const session = view.getUint32(1);
    const acked = view.getFloat64(5);
    if (session === 0 || !Number.isSafeInteger(acked) || acked < 0) return null;
    return { kind: 'ack', session, bytes: acked };
  }
  return null;
}
