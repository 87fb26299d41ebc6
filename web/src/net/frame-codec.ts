/**
 * Message framing on a data channel. Chromium caps one SCTP message at 256 KiB and never
 * interleaves messages, so every application message is cut into frames of at most
 * MAX_FRAME_BYTES and reassembled on the other side, with a hard cap on the total size.
 *
 * Frame = 1 header byte + body:
 *   0x00 whole message
 *   0x01 first fragment: u32 total length (big endian), then bytes
 *   0x02 continuation fragment: bytes
 * Fragments are only valid on ordered, reliable channels (the sender never interleaves two
 * messages on one channel), so a continuation needs no message id.
 */
export const MAX_FRAME_BYTES = 64 * 1024;
const WHOLE = 0x00;
const FIRST = 0x01;
const CONTINUATION = 0x02;
const FIRST_HEADER = 5;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * A message built straight into its single frame (the header byte reserved in front), so a large
 * body such as a file chunk is copied once, not once into the message and again into the frame.
 */
export class WholeFrame {
  readonly frame: Uint8Array;
  /** Where the sender writes the message. */
  readonly body: Uint8Array;

  constructor(bodyBytes: number) {
    if (bodyBytes + 1 > MAX_FRAME_BYTES) throw new FrameError(`a whole frame holds at most ${MAX_FRAME_BYTES - 1} bytes`);
    this.frame = new Uint8Array(bodyBytes + 1);
    this.frame[0] = WHOLE;
    this.body = this.frame.subarray(1);
  }
}

/** What a link sends: a message to frame, or one already built in its frame. */
export type OutgoingMessage = Uint8Array | WholeFrame;

export function encodeFrames(outgoing: OutgoingMessage, maxFrameBytes = MAX_FRAME_BYTES): Uint8Array[] {
  if (outgoing instanceof WholeFrame) {
    if (outgoing.frame.length > maxFrameBytes) throw new FrameError('whole frame larger than the frame size');
    return [outgoing.frame];
  }
  const message = outgoing;
  if (message.length + 1 <= maxFrameBytes) {
    const frame = new Uint8Array(message.length + 1);
    frame[0] = WHOLE;
    frame.set(message, 1);
    return [frame];
  }
  if (message.length > 0xffffffff) throw new FrameError('message too large to frame');
  const frames: Uint8Array[] = [];
  const firstBody = maxFrameBytes - FIRST_HEADER;
  const first = new Uint8Array(maxFrameBytes);
  first[0] = FIRST;
  new DataView(first.buffer).setUint32(1, message.length);
  first.set(message.subarray(0, firstBody), FIRST_HEADER);
  frames.push(first);
  for (let offset = firstBody; offset < message.length; offset += maxFrameBytes - 1) {
    const body = message.subarray(offset, offset + maxFrameBytes - 1);
    const frame = new Uint8Array(body.length + 1);
    frame[0] = CONTINUATION;
    frame.set(body, 1);
    frames.push(frame);
  }
  return frames;
}

/** Reassembles one channel's frames; throws FrameError on anything a correct peer never sends. */
export class FrameAssembler {
  private buffer: Uint8Array | null = null;
  private filled = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly allowFragments: boolean,
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
  ) {}

  /** Returns a complete message, or null while a fragmented one is still arriving. */
  push(frame: Uint8Array): Uint8Array | null {
    if (frame.length === 0) throw new FrameError('empty frame');
    if (frame.length > this.maxFrameBytes) throw new FrameError(`frame of ${frame.length} bytes exceeds ${this.maxFrameBytes}`);
    const kind = frame[0];
    if (kind === WHOLE) {
      if (this.buffer) throw new FrameError('whole message inside a fragmented one');
      if (frame.length - 1 > this.maxMessageBytes) throw new FrameError('message exceeds channel limit');
      return frame.subarray(1);
    }
    if (!this.allowFragments) throw new FrameError('fragments are not allowed on this channel');
    if (kind === FIRST) {
      if (this.buffer) throw new FrameError('new message before the previous one completed');
      if (frame.length < FIRST_HEADER) throw new FrameError('truncated first fragment');
      const total = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1);
      if (total > this.maxMessageBytes) throw new FrameError(`announced message of ${total} bytes exceeds ${this.maxMessageBytes}`);
      if (total <= frame.length - FIRST_HEADER) throw new FrameError('fragmented message fits in one frame');
      this.buffer = new Uint8Array(total);
      this.filled = 0;
      return this.append(frame.subarray(FIRST_HEADER));
    }
    if (kind === CONTINUATION) {
      if (!this.buffer) throw new FrameError('continuation without a first fragment');
      return this.append(frame.subarray(1));
    }
    throw new FrameError(`unknown frame kind ${kind}`);
  }

  private append(body: Uint8Array): Uint8Array | null {
    const buffer = this.buffer!;
    if (this.filled + body.length > buffer.length) throw new FrameError('fragments exceed the announced length');
    buffer.set(body, this.filled);
    this.filled += body.length;
    if (this.filled < buffer.length) return null;
    this.buffer = null;
    return buffer;
  }
}
