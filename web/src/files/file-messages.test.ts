import { describe, expect, it } from 'vitest';
import { FrameAssembler, MAX_FRAME_BYTES, encodeFrames } from '../net/frame-codec.ts';
import { CHUNK_BYTES, CHUNK_HEADER_BYTES, FILES_MESSAGE_VERSION, decodeFilesMessage, encodeAck, encodeAckRequest, encodeChunk, encodeControl } from './file-messages.ts';

const ID = 'abcdefghijklmnop';
const text = (s: string) => {
  const json = new TextEncoder().encode(s);
  const out = new Uint8Array(json.length + 1);
  out.set(json, 1);
  return out;
};

describe('files channel messages', () => {
  it('round-trips control messages', () => {
    const messages = [
      { t: 'accept', id: ID, session: 7, have: 'AQ', partial: { block: 3, bytes: 100 }, upTo: 16 },
      { t: 'accept', id: ID, session: 1, have: '', partial: null, upTo: 0 },
      { t: 'credit', id: ID, session: 1, upTo: 17 },
      { t: 'decline', id: ID },
      { t: 'cancel', id: ID, code: 'cancelled', reason: 'cancelled by the sender' },
      { t: 'need', id: ID, session: 2, block: 0 },
      { t: 'done', id: ID },
    ] as const;
    for (const m of messages) expect(decodeFilesMessage(encodeControl(m))).toEqual({ kind: 'control', message: { v: FILES_MESSAGE_VERSION, ...m } });
  });

  it('says which version a control message of another protocol version is (ignored, not a reason to drop the peer)', () => {
    expect(decodeFilesMessage(text('{"v":1,"t":"accept","id":"abcdefghijklmnop","session":1,"have":"","partial":null}'))).toEqual({ kind: 'unsupported', version: 1 });
    expect(decodeFilesMessage(text('{"v":2,"t":"credit","id":"abcdefghijklmnop","session":1,"upTo":17}'))).toEqual({ kind: 'unsupported', version: 2 });
    expect(decodeFilesMessage(text('{"v":4,"t":"anything"}'))).toEqual({ kind: 'unsupported', version: 4 });
  });

  it('round-trips a chunk that fills exactly one frame', () => {
    const data = new Uint8Array(CHUNK_BYTES).fill(9);
    const framed = encodeChunk({ session: 0xffffffff, block: 8191, offset: 1000, data });
    expect(framed.body.length).toBe(CHUNK_HEADER_BYTES + CHUNK_BYTES);
    expect(encodeFrames(framed)).toEqual([framed.frame]);
    expect(framed.frame.length).toBe(MAX_FRAME_BYTES);
    const decoded = decodeFilesMessage(new FrameAssembler(MAX_FRAME_BYTES, false).push(framed.frame)!);
    expect(decoded).toMatchObject({ kind: 'chunk', session: 0xffffffff, block: 8191, offset: 1000, ackNow: false });
    expect(decoded?.kind === 'chunk' && decoded.data).toEqual(data);
  });

  it('says whether a chunk asks for an ack; round-trips an ack request', () => {
    const framed = encodeChunk({ session: 3, block: 1, offset: 0, data: new Uint8Array([1, 2]), ackNow: true });
    expect(decodeFilesMessage(framed.body)).toEqual({ kind: 'chunk', session: 3, block: 1, offset: 0, data: new Uint8Array([1, 2]), ackNow: true });
    expect(decodeFilesMessage(encodeAckRequest(0xffffffff))).toEqual({ kind: 'ack-request', session: 0xffffffff });
  });

  it('round-trips an ack, up to the largest file size', () => {
    for (const ack of [{ session: 1, bytes: 0 }, { session: 0xffffffff, bytes: 8 * 1024 ** 3 }]) {
      expect(decodeFilesMessage(encodeAck(ack))).toEqual({ kind: 'ack', ...ack });
    }
  });

  it('refuses to encode an empty or oversized chunk', () => {
    expect(() => encodeChunk({ session: 1, block: 0, offset: 0, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeChunk({ session: 1, block: 0, offset: 0, data: new Uint8Array(CHUNK_BYTES + 1) })).toThrow(RangeError);
  });

  it('decodes anything else to null', () => {
    const chunk = encodeChunk({ session: 1, block: 0, offset: 0, data: new Uint8Array(10) }).body;
    const zeroSession = chunk.slice();
    zeroSession.fill(0, 1, 5);
    const oversized = new Uint8Array(CHUNK_HEADER_BYTES + CHUNK_BYTES + 1);
    oversized[0] = 1;
    oversized[4] = 1;
    const bad = [
      new Uint8Array(0),
      new Uint8Array([2, 1, 2, 3]),
      chunk.subarray(0, CHUNK_HEADER_BYTES),
      zeroSession,
      oversized,
      text('not json'),
      text('{"v":3,"t":"launch","id":"abcdefghijklmnop"}'),
      text('{"v":"2","t":"done","id":"abcdefghijklmnop"}'),
      text('{"t":"done","id":"abcdefghijklmnop"}'),
      text('{"v":3,"t":"done","id":"short"}'),
      text('{"v":3,"t":"done","id":"abcdefghijklmnop/../"}'),
      text('{"v":3,"t":"need","id":"abcdefghijklmnop","session":0,"block":1}'),
      text('{"v":3,"t":"need","id":"abcdefghijklmnop","session":1,"block":-1}'),
      text('{"v":3,"t":"accept","id":"abcdefghijklmnop","session":1,"have":"+/=","partial":null,"upTo":1}'),
      text('{"v":3,"t":"accept","id":"abcdefghijklmnop","session":1,"have":"","partial":{"block":0,"bytes":0},"upTo":1}'),
      text('{"v":3,"t":"accept","id":"abcdefghijklmnop","session":1,"have":"","partial":null}'),
      text('{"v":3,"t":"accept","id":"abcdefghijklmnop","session":1,"have":"","partial":null,"upTo":-1}'),
      text('{"v":3,"t":"credit","id":"abcdefghijklmnop","session":1,"upTo":1.5}'),
      text('{"v":3,"t":"credit","id":"abcdefghijklmnop","session":0,"upTo":1}'),
      text('{"v":3,"t":"credit","id":"abcdefghijklmnop","session":1}'),
      text(`{"v":3,"t":"cancel","id":"abcdefghijklmnop","code":"cancelled","reason":"${'x'.repeat(201)}"}`),
      text('{"v":3,"t":"cancel","id":"abcdefghijklmnop","code":"whatever","reason":""}'),
      text('{"v":3,"t":"offer","id":"abcdefghijklmnop","from":"A","manifest":{}}'),
      new Uint8Array([0, 0xff, 0xfe]),
      encodeAck({ session: 0, bytes: 1 }),
      encodeAck({ session: 1, bytes: -1 }),
      encodeAck({ session: 1, bytes: 1.5 }),
      encodeAck({ session: 1, bytes: Number.NaN }),
      encodeAck({ session: 1, bytes: 2 ** 60 }),
      new Uint8Array([...encodeAck({ session: 1, bytes: 1 }), 0]),
      encodeAckRequest(0),
      encodeAckRequest(1).subarray(0, 4),
    ];
    for (const bytes of bad) expect(decodeFilesMessage(bytes), new TextDecoder().decode(bytes.subarray(1, 60))).toBeNull();
  });
});
