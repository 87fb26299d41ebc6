import { describe, expect, it } from 'vitest';
import {
  encodeInviteMessage,
  INVITE_PROTOCOL_VERSION,
  MAX_INVITE_FRAME_CHARS,
  parseInviteClientMessage,
  parseInviteServerMessage,
} from './invite-protocol.ts';

describe('invite mailbox protocol', () => {
  it('round-trips every client and server message, ignoring unknown keys', () => {
    const client = [
      { type: 'allocate', v: INVITE_PROTOCOL_VERSION },
      { type: 'claim', v: INVITE_PROTOCOL_VERSION, nameplate: 7 },
      { type: 'add', phase: 'pake', body: 'AAAA' },
      { type: 'release', outcome: 'done' },
      { type: 'release', outcome: 'wrong-code' },
    ] as const;
    for (const m of client) expect(parseInviteClientMessage(encodeInviteMessage(m))).toEqual({ ok: true, message: m });
    const server = [
      { type: 'allocated', nameplate: 7, mailbox: 'A'.repeat(22), expiresAt: 1 },
      { type: 'claimed', mailbox: 'A'.repeat(22), expiresAt: 1 },
      { type: 'message', phase: 'link', body: 'AAAA' },
      { type: 'closed', reason: 'peer-left' },
      { type: 'error', code: 'expired', message: 'x' },
    ] as const;
    for (const m of server) expect(parseInviteServerMessage(encodeInviteMessage(m))).toEqual({ ok: true, message: m });
    expect(parseInviteClientMessage('{"type":"claim","v":1,"nameplate":3,"extra":true}')).toEqual({
      ok: true,
      message: { type: 'claim', v: 1, nameplate: 3 },
    });
  });

  it.each([
    [42, 'malformed'],
    ['', 'malformed'],
    ['null', 'malformed'],
    ['"claim"', 'malformed'],
    ['{"type":7}', 'malformed'],
    ['{"type":"words","words":"amber-lagoon"}', 'unknown-type'],
    ['{"type":"claim","v":1}', 'malformed'],
    ['{"type":"claim","v":1,"nameplate":-1}', 'malformed'],
    ['{"type":"claim","v":1,"nameplate":1e9}', 'malformed'],
    ['{"type":"add","phase":"pake","body":""}', 'malformed'],
    ['{"type":"add","phase":"pake","body":"not/base64"}', 'malformed'],
    [`{"type":"add","phase":"pake","body":"${'A'.repeat(3000)}"}`, 'malformed'],
    ['{"type":"release","outcome":"used"}', 'malformed'],
    [`{"type":"allocate","v":1,"pad":"${'x'.repeat(MAX_INVITE_FRAME_CHARS)}"}`, 'too-large'],
  ])('rejects client frame %j with %s', (raw, code) => {
    const r = parseInviteClientMessage(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('rejects server frames a client must not trust', () => {
    expect(parseInviteServerMessage('{"type":"allocated","nameplate":0,"mailbox":"AAAAAAAAAAAAAAAAAAAAAA","expiresAt":1}').ok).toBe(false);
    expect(parseInviteServerMessage('{"type":"claimed","mailbox":"short","expiresAt":1}').ok).toBe(false);
    expect(parseInviteServerMessage('{"type":"closed","reason":"whatever"}').ok).toBe(false);
    expect(parseInviteServerMessage('{"type":"error","code":"nope","message":"x"}').ok).toBe(false);
  });
});
