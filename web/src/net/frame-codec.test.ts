import { describe, expect, it } from 'vitest';
import { FrameAssembler, FrameError, MAX_FRAME_BYTES, WholeFrame, encodeFrames } from './frame-codec.ts';

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function reassemble(frames: Uint8Array[], assembler = new FrameAssembler(64 << 20, true)): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (const frame of frames) {
    const message = assembler.push(frame);
    if (message) messages.push(message);
  }
  return messages;
}

describe('frame codec', () => {
  it.each([0, 1, MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES, 400 * 1024, 3 * MAX_FRAME_BYTES + 17])(
    'round-trips a %i-byte message in frames of at most 64 KiB',
    (size) => {
      const message = bytes(size);
      const frames = encodeFrames(message);
      for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      expect(reassemble(frames)).toEqual([message]);
    },
  );

  it('sends a message built in its frame as that one frame, not a copy, and it decodes like any other', () => {
    const built = new WholeFrame(MAX_FRAME_BYTES - 1);
    built.body.set(bytes(MAX_FRAME_BYTES - 1));
    const frames = encodeFrames(built);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toBe(built.frame);
    expect(reassemble(frames)).toEqual([bytes(MAX_FRAME_BYTES - 1)]);
    expect(() => new WholeFrame(MAX_FRAME_BYTES)).toThrow(FrameError);
  });

  it('keeps a 400 KiB Yjs-sized update under the 256 KiB SCTP cap (the y-webrtc failure)', () => {
    const frames = encodeFrames(bytes(400 * 1024));
    expect(frames.length).toBe(7);
    expect(Math.max(...frames.map((f) => f.length))).toBeLessThan(256 * 1024);
  });

  it('reassembles back-to-back messages on one channel', () => {
    const a = bytes(200_000, 1);
    const b = bytes(10, 2);
    const c = bytes(70_000, 3);
    expect(reassemble([...encodeFrames(a), ...encodeFrames(b), ...encodeFrames(c)])).toEqual([a, b, c]);
  });

  it('rejects an announced size above the channel limit before buffering anything', () => {
    const frames = encodeFrames(bytes(100_000));
    expect(() => new FrameAssembler(50_000, true).push(frames[0]!)).toThrow(/exceeds 50000/);
  });

  it('rejects a whole message above the channel limit', () => {
    expect(() => new FrameAssembler(10, true).push(encodeFrames(bytes(11))[0]!)).toThrow(FrameError);
  });

  it('rejects fragments on a channel that does not allow them', () => {
    const frames = encodeFrames(bytes(100_000));
    expect(() => new FrameAssembler(1 << 20, false).push(frames[0]!)).toThrow(/not allowed/);
  });

  it.each([
    ['an empty frame', [new Uint8Array(0)], /empty/],
    ['an unknown kind', [Uint8Array.of(9, 1, 2)], /unknown frame kind/],
    ['a continuation without a first fragment', [Uint8Array.of(2, 1, 2)], /without a first/],
    ['a truncated first fragment', [Uint8Array.of(1, 0, 0)], /truncated/],
    ['a fragmented message that would fit one frame', [Uint8Array.of(1, 0, 0, 0, 1, 42)], /fits in one frame/],
  ])('rejects %s', (_name, frames, pattern) => {
    expect(() => reassemble(frames)).toThrow(pattern);
  });

  it('rejects fragments exceeding the announced length', () => {
    const frames = encodeFrames(bytes(100_000));
    const extra = Uint8Array.of(2, ...bytes(MAX_FRAME_BYTES - 1));
    expect(() => reassemble([frames[0]!, extra, extra])).toThrow(/exceed the announced/);
  });

  it('rejects a new message before the previous one completed', () => {
    const first = encodeFrames(bytes(100_000))[0]!;
    expect(() => reassemble([first, first])).toThrow(/before the previous/);
    expect(() => reassemble([first, Uint8Array.of(0, 1)])).toThrow(/inside a fragmented/);
  });

  it('rejects a frame larger than the frame limit', () => {
    expect(() => new FrameAssembler(1 << 20, true).push(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(/exceeds/);
  });
});
