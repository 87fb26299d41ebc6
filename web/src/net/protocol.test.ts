import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  MAX_FRAME_CHARS,
  MAX_PEERS_PER_ROOM,
  PROTOCOL_VERSION,
  encodeMessage,
  isValidRoomId,
  parseClientMessage,
  parseServerMessage,
  type ServerMessage,
} from './protocol.ts';

const PEER = 'AbCdEfGh12345678';
const SEALED = { iv: 'AAAAAAAAAAAAAAAA', ct: 'Y2lwaGVydGV4dC1ieXRlcy1oZXJl' };

function errorCode(result: ReturnType<typeof parseClientMessage>): string | undefined {
  return result.ok ? undefined : result.error.code;
}

describe('parseClientMessage', () => {
  it('accepts hello and signal', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }))).toEqual({
      ok: true,
      message: { type: 'hello', v: PROTOCOL_VERSION },
    });
    const signal = parseClientMessage(JSON.stringify({ type: 'signal', to: PEER, payload: SEALED }));
    expect(signal.ok && signal.message).toEqual({ type: 'signal', to: PEER, payload: SEALED });
  });

  it('drops unknown keys, including a client-chosen "from"', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'signal', to: PEER, from: 'spoofed123', payload: SEALED, extra: 1 }));
    expect(result.ok && result.message).toEqual({ type: 'signal', to: PEER, payload: SEALED });
  });

  it.each([
    ['not JSON', '{nope', ErrorCode.malformed],
    ['a JSON array', '[1,2]', ErrorCode.malformed],
    ['JSON null', 'null', ErrorCode.malformed],
    ['no type', '{"v":1}', ErrorCode.malformed],
    ['numeric type', '{"type":3}', ErrorCode.malformed],
    ['unknown type', '{"type":"launch-missiles"}', ErrorCode.unknownType],
    ['a server-only type', '{"type":"welcome","v":1,"self":"AbCdEfGh12345678","peers":[]}', ErrorCode.unknownType],
    ['hello without version', '{"type":"hello"}', ErrorCode.malformed],
    ['signal with bad peer id', JSON.stringify({ type: 'signal', to: 'a b', payload: SEALED }), ErrorCode.malformed],
    ['signal without payload', JSON.stringify({ type: 'signal', to: PEER }), ErrorCode.malformed],
    ['signal with short iv', JSON.stringify({ type: 'signal', to: PEER, payload: { iv: 'AAAA', ct: SEALED.ct } }), ErrorCode.malformed],
    ['signal with non-base64url ct', JSON.stringify({ type: 'signal', to: PEER, payload: { iv: SEALED.iv, ct: 'not base64url!!!!!!!!!!!!' } }), ErrorCode.malformed],
  ])('rejects %s', (_name, raw, code) => {
    expect(errorCode(parseClientMessage(raw))).toBe(code);
  });

  it('rejects binary and oversized frames', () => {
    expect(errorCode(parseClientMessage(new Uint8Array(4)))).toBe(ErrorCode.malformed);
    const big = JSON.stringify({ type: 'hello', v: 1, pad: 'x'.repeat(MAX_FRAME_CHARS) });
    expect(errorCode(parseClientMessage(big))).toBe(ErrorCode.tooLarge);
  });

  it('gives a readable message naming the field', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'signal', to: PEER, payload: { iv: 1, ct: SEALED.ct } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/payload\.iv/);
  });
});

describe('parseServerMessage', () => {
  it('accepts every server message', () => {
    const messages: ServerMessage[] = [
      { type: 'welcome', v: PROTOCOL_VERSION, self: PEER, peers: [], resumeToken: 'T'.repeat(43) },
      { type: 'peer-joined', peer: PEER },
      { type: 'peer-left', peer: PEER, reason: 'lost' },
      { type: 'signal', from: PEER, payload: SEALED },
      { type: 'error', code: 'room-full', message: 'Room is full' },
    ];
    for (const message of messages) {
      expect(parseServerMessage(encodeMessage(message))).toEqual({ ok: true, message });
    }
  });

  it('rejects an unknown error code and too many peers', () => {
    expect(parseServerMessage(JSON.stringify({ type: 'error', code: 'nope', message: '' })).ok).toBe(false);
    const peers = Array.from({ length: MAX_PEERS_PER_ROOM + 1 }, (_, i) => `peer${String(i).padStart(8, '0')}`);
    expect(parseServerMessage(JSON.stringify({ type: 'welcome', v: 1, self: PEER, peers })).ok).toBe(false);
  });
});

describe('isValidRoomId', () => {
  it('requires 22+ base64url characters', () => {
    expect(isValidRoomId('A'.repeat(22))).toBe(true);
    expect(isValidRoomId('A'.repeat(21))).toBe(false);
    expect(isValidRoomId('A'.repeat(21) + '/')).toBe(false);
    expect(isValidRoomId(42)).toBe(false);
  });
});
