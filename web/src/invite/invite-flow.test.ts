import { describe, expect, it } from 'vitest';
import { createRoomAddress, roomPath } from '../net/room-url.ts';
import { FakeMailbox } from '../test-support/fake-mailbox.ts';
import { joinWithCode, startInvite, type InviteStatus } from './invite-flow.ts';
import { parseJoinCode, type JoinCode } from './join-code.ts';

const URL = 'ws://mailbox.test/api/invites/ws';

/** Starts an invite and resolves with its code once it is waiting; collects every status. */
async function invite(mailbox: FakeMailbox) {
  const room = createRoomAddress();
  const statuses: InviteStatus[] = [];
  let onWaiting!: (code: string) => void;
  const waiting = new Promise<string>((r) => (onWaiting = r));
  let onEnd!: (s: InviteStatus) => void;
  const ended = new Promise<InviteStatus>((r) => (onEnd = r));
  startInvite({
    url: URL,
    room,
    connect: mailbox.connect,
    onStatus: (s) => {
      statuses.push(s);
      if (s.phase === 'waiting') onWaiting(s.code);
      if (s.phase === 'done' || s.phase === 'failed') onEnd(s);
    },
  });
  const code = await waiting;
  return { room, code, statuses, ended };
}

function parsed(text: string): JoinCode {
  const r = parseJoinCode(text);
  if (!r.ok) throw new Error(`bad code ${text}`);
  return r.code;
}

describe('code invite flow (fake mailbox)', () => {
  it('hands the room to a joiner who types the code, and never sends the words or the secret to the server', async () => {
    const mailbox = new FakeMailbox();
    const { room, code, ended } = await invite(mailbox);
    expect(code).toMatch(/^1-[a-z]+-[a-z]+$/);
    const result = await joinWithCode({ url: URL, code: parsed(code.toUpperCase().replaceAll('-', ' ')), connect: mailbox.connect });
    expect(result).toEqual({ ok: true, room });
    expect(await ended).toEqual({ phase: 'done', code });
    const words = code.split('-').slice(1);
    const all = mailbox.frames.join('\n');
    for (const w of words) expect(all).not.toContain(w);
    expect(all).not.toContain(room.secret);
    expect(all).not.toContain(roomPath(room));
  });

  it('a wrong word fails on both sides with wrong-code and burns the code', async () => {
    const mailbox = new FakeMailbox();
    const { code, ended } = await invite(mailbox);
    const [n, w1, w2] = code.split('-');
    const wrong = `${n}-${w1}-${w2 === 'acorn' ? 'agent' : 'acorn'}`;
    const result = await joinWithCode({ url: URL, code: parsed(wrong), connect: mailbox.connect });
    expect(result).toMatchObject({ ok: false, failure: 'wrong-code' });
    expect(await ended).toMatchObject({ phase: 'failed', failure: 'wrong-code' });
    // The right words no longer help.
    const retry = await joinWithCode({ url: URL, code: parsed(code), connect: mailbox.connect });
    expect(retry).toMatchObject({ ok: false, failure: 'already-used' });
  });

  it('an unknown nameplate is reported as such', async () => {
    const mailbox = new FakeMailbox();
    const result = await joinWithCode({ url: URL, code: parsed('42-amber-lagoon'), connect: mailbox.connect });
    expect(result).toMatchObject({ ok: false, failure: 'unknown-code' });
    expect(result.ok ? '' : result.message).toContain('No invite has this number');
  });

  it.each(['pake', 'confirm', 'link'])('a server that tampers with the %s message gets no room, only an error', async (phase) => {
    const mailbox = new FakeMailbox();
    const { code, ended } = await invite(mailbox);
    mailbox.tamper = (p, body) => (p === phase ? `${body.slice(0, -2)}${body.endsWith('AA') ? 'BA' : 'AA'}` : body);
    const result = await joinWithCode({ url: URL, code: parsed(code), connect: mailbox.connect });
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ ok: false, failure: 'wrong-code' });
    expect(await ended).toMatchObject({ phase: 'failed', failure: 'wrong-code' });
  });

  it('the inviter is told when the joiner leaves mid-exchange', async () => {
    const mailbox = new FakeMailbox();
    const { code, ended } = await invite(mailbox);
    // A joiner that claims and then disappears.
    const handlers = { open: () => t.send(JSON.stringify({ type: 'claim', v: 1, nameplate: Number(code.split('-')[0]) })), message: () => t.close(), close: () => undefined };
    const t = mailbox.connect(URL, handlers);
    expect(await ended).toMatchObject({ phase: 'failed', failure: 'peer-left' });
  });
});
