import { SELF, abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  INVITE_PROTOCOL_VERSION,
  INVITE_TTL_MS,
  MAX_INVITE_FRAME_CHARS,
  type InviteServerMessage,
} from '../../web/src/net/invite-protocol.ts';
import { CloseCode } from '../../web/src/net/protocol.ts';
import { CLAIM_BURST, CLAIM_REFILL_PER_SEC, CONNECT_BURST, MAX_INVITE_PROTOCOL_ERRORS } from '../src/invite-limits.ts';
import { MailboxClient, newClientAddress } from './invite-client.ts';

const body = (tag: string) => `${tag}`.padEnd(43, 'A');

/** The next two frames, sorted by phase. */
async function nextTwo(c: MailboxClient): Promise<InviteServerMessage[]> {
  const two = [await c.next(), await c.next()];
  const phase = (m: InviteServerMessage) => (m.type === 'message' ? m.phase : '');
  return two.sort((x, y) => phase(x).localeCompare(phase(y)));
}

describe('nameplates', () => {
  it('allocates distinct small nameplates with a mailbox id and a 10-minute lifetime', async () => {
    const before = Date.now();
    const a = await MailboxClient.allocate();
    const b = await MailboxClient.allocate();
    expect(a.nameplate).toBeGreaterThanOrEqual(1);
    expect(a.nameplate).toBeLessThan(100);
    expect(b.nameplate).not.toBe(a.nameplate);
    expect(a.mailbox).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.mailbox).not.toBe(b.mailbox);
    expect(a.expiresAt - before).toBeGreaterThanOrEqual(INVITE_TTL_MS - 1000);
    expect(a.expiresAt - Date.now()).toBeLessThanOrEqual(INVITE_TTL_MS);
    a.inviter.close();
    b.inviter.close();
  });

  it('releases an unclaimed nameplate when the inviter leaves: it is unknown, then handed out again', async () => {
    const a = await MailboxClient.allocate();
    a.inviter.close();
    await a.inviter.closed;
    // The close is processed by the object before the next claim (one object, in order).
    const { reply } = await MailboxClient.claim(a.nameplate);
    expect(reply).toMatchObject({ type: 'error', code: 'unknown-code' });
    const b = await MailboxClient.allocate();
    expect(b.nameplate).toBeLessThanOrEqual(a.nameplate);
    b.inviter.close();
  });
});

describe('mailbox exchange', () => {
  it('holds the inviter message for the joiner, relays both ways, and closes both on done; the code is then used', async () => {
    const { inviter, nameplate, mailbox, expiresAt } = await MailboxClient.allocate();
    inviter.send({ type: 'add', phase: 'pake', body: body('Ya') });
    const { joiner, reply } = await MailboxClient.claim(nameplate);
    expect(reply).toEqual({ type: 'claimed', mailbox, expiresAt });
    expect(await joiner.next()).toEqual({ type: 'message', phase: 'pake', body: body('Ya') });

    joiner.send({ type: 'add', phase: 'pake', body: body('Yb') });
    joiner.send({ type: 'add', phase: 'confirm', body: body('Tb') });
    // Two frames sent back to back were seen delivered in either order here (1 run in ~6 inside
    // workerd's test pool), so the clients key messages by phase, and so does this test.
    expect(await nextTwo(inviter)).toEqual([
      { type: 'message', phase: 'confirm', body: body('Tb') },
      { type: 'message', phase: 'pake', body: body('Yb') },
    ]);
    inviter.send({ type: 'add', phase: 'confirm', body: body('Ta') });
    inviter.send({ type: 'add', phase: 'link', body: body('sealed') });
    expect(await nextTwo(joiner)).toEqual([
      { type: 'message', phase: 'confirm', body: body('Ta') },
      { type: 'message', phase: 'link', body: body('sealed') },
    ]);

    joiner.send({ type: 'release', outcome: 'done' });
    expect(await joiner.next()).toEqual({ type: 'closed', reason: 'done' });
    expect(await inviter.next()).toEqual({ type: 'closed', reason: 'done' });
    expect((await joiner.closed).code).toBe(1000);
    expect((await inviter.closed).code).toBe(1000);

    const again = await MailboxClient.claim(nameplate);
    expect(again.reply).toMatchObject({ type: 'error', code: 'already-used' });
  });

  it('gives one guess per code: a second claim while the first is under way is refused', async () => {
    const { inviter, nameplate } = await MailboxClient.allocate();
    const first = await MailboxClient.claim(nameplate);
    expect(first.reply.type).toBe('claimed');
    const second = await MailboxClient.claim(nameplate);
    expect(second.reply).toMatchObject({ type: 'error', code: 'already-used' });
    expect((await second.joiner.closed).code).toBe(1000);
    inviter.close();
    first.joiner.close();
  });

  it('burns the code on a failed key confirmation and tells both sides', async () => {
    const { inviter, nameplate } = await MailboxClient.allocate();
    const { joiner } = await MailboxClient.claim(nameplate);
    joiner.send({ type: 'add', phase: 'pake', body: body('Yb') });
    await inviter.next();
    inviter.send({ type: 'release', outcome: 'wrong-code' });
    expect(await inviter.next()).toEqual({ type: 'closed', reason: 'wrong-code' });
    expect(await joiner.next()).toEqual({ type: 'closed', reason: 'wrong-code' });
    const again = await MailboxClient.claim(nameplate);
    expect(again.reply).toMatchObject({ type: 'error', code: 'already-used' });
  });

  it('burns the code when a side leaves mid-exchange and tells the other (peer-left)', async () => {
    const { inviter, nameplate } = await MailboxClient.allocate();
    const { joiner } = await MailboxClient.claim(nameplate);
    joiner.close();
    expect(await inviter.next()).toEqual({ type: 'closed', reason: 'peer-left' });
    const again = await MailboxClient.claim(nameplate);
    expect(again.reply).toMatchObject({ type: 'error', code: 'already-used' });
  });

  it('only the joiner can release with done, and only after a claim', async () => {
    const { inviter, nameplate } = await MailboxClient.allocate();
    inviter.send({ type: 'release', outcome: 'done' });
    expect(await inviter.next()).toMatchObject({ type: 'error', code: 'bad-state' });
    const { joiner } = await MailboxClient.claim(nameplate);
    inviter.send({ type: 'release', outcome: 'done' });
    expect(await inviter.next()).toMatchObject({ type: 'error', code: 'bad-state' });
    inviter.close();
    joiner.close();
  });

  it('caps the messages one side may add', async () => {
    const { inviter } = await MailboxClient.allocate();
    for (let i = 0; i < 3; i++) inviter.send({ type: 'add', phase: 'pake', body: body(`m${i}`) });
    inviter.send({ type: 'add', phase: 'pake', body: body('m3') });
    expect(await inviter.next()).toMatchObject({ type: 'error', code: 'bad-state' });
    inviter.close();
  });
});

describe('expiry', () => {
  it('expires a code after its lifetime (alarm): the inviter is told, a late claim hears "expired"', async () => {
    const { inviter, nameplate, expiresAt } = await MailboxClient.allocate(undefined, '?ttl=1');
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(1000);
    expect(await inviter.next()).toEqual({ type: 'closed', reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    const late = await MailboxClient.claim(nameplate);
    expect(late.reply).toMatchObject({ type: 'error', code: 'expired' });
  });

  it('ends an exchange that is still under way at expiry, for both sides', async () => {
    const { inviter, nameplate } = await MailboxClient.allocate(undefined, '?ttl=1');
    const { joiner, reply } = await MailboxClient.claim(nameplate);
    expect(reply.type).toBe('claimed');
    expect(await joiner.next()).toEqual({ type: 'closed', reason: 'expired' });
    expect(await inviter.next()).toEqual({ type: 'closed', reason: 'expired' });
  });
});

describe('limits', () => {
  it(`allows ${CLAIM_BURST} claims per client, then too-many-attempts (unknown nameplates count too)`, async () => {
    const client = newClientAddress();
    for (let i = 0; i < CLAIM_BURST; i++) {
      const { reply } = await MailboxClient.claim(9000 + i, client);
      expect(reply).toMatchObject({ type: 'error', code: 'unknown-code' });
    }
    const { inviter, nameplate } = await MailboxClient.allocate();
    const { joiner, reply } = await MailboxClient.claim(nameplate, client);
    expect(reply).toMatchObject({ type: 'error', code: 'too-many-attempts' });
    expect((await joiner.closed).code).toBe(CloseCode.rateLimited);
    // Another client is not affected, and the code was not used up by the refused claim.
    const other = await MailboxClient.claim(nameplate);
    expect(other.reply.type).toBe('claimed');
    inviter.close();
    other.joiner.close();
  });

  it('still counts a client\'s claims after the mailbox object was evicted (its in-memory state gone)', async () => {
    const client = newClientAddress();
    for (let i = 0; i < CLAIM_BURST; i++) {
      const { reply } = await MailboxClient.claim(9100 + i, client);
      expect(reply).toMatchObject({ type: 'error', code: 'unknown-code' });
    }
    await abortAllDurableObjects();
    const { joiner, reply } = await MailboxClient.claim(9200, client);
    expect(reply).toMatchObject({ type: 'error', code: 'too-many-attempts' });
    expect((await joiner.closed).code).toBe(CloseCode.rateLimited);
  });

  it('forgets a stored claim bucket (alarm) once it is full again, and keeps one still refilling', async () => {
    const full = newClientAddress();
    const refilling = newClientAddress();
    await MailboxClient.claim(9300, full);
    await MailboxClient.claim(9301, refilling);
    const stub = env.INVITES.get(env.INVITES.idFromName('invites'));
    const stored = () => runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list({ prefix: 'claims:' })].map(([k]) => k));
    expect(await stored()).toEqual(expect.arrayContaining([`claims:${full}`, `claims:${refilling}`]));
    // Age the first bucket: its one claim was taken longer ago than a token takes to come back.
    await runInDurableObject(stub, (_instance, state) => {
      const last = Date.now() - (2 * 1000) / CLAIM_REFILL_PER_SEC;
      state.storage.kv.put(`claims:${full}`, { tokens: CLAIM_BURST - 1, last });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await stored();
    expect(after).not.toContain(`claims:${full}`);
    expect(after).toContain(`claims:${refilling}`);
    // And an alarm stays set for the one still refilling.
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it(`refuses socket number ${CONNECT_BURST + 1} from one client with HTTP 429`, async () => {
    const client = newClientAddress();
    const sockets: MailboxClient[] = [];
    for (let i = 0; i < CONNECT_BURST; i++) sockets.push(await MailboxClient.connect(client));
    await expect(MailboxClient.connect(client)).rejects.toThrow('upgrade failed: 429');
    // Another client still gets in.
    sockets.push(await MailboxClient.connect());
    for (const s of sockets) s.close();
  });
});

describe('bad frames', () => {
  it.each([
    ['not JSON', '{nope', 'malformed'],
    ['a JSON array', '[1,2]', 'malformed'],
    ['no type', '{"v":1}', 'malformed'],
    ['an unknown type', '{"type":"hello","v":1}', 'unknown-type'],
    ['nameplate 0', '{"type":"claim","v":1,"nameplate":0}', 'malformed'],
    ['nameplate 10000', '{"type":"claim","v":1,"nameplate":10000}', 'malformed'],
    ['a string nameplate', '{"type":"claim","v":1,"nameplate":"7"}', 'malformed'],
    ['a fractional nameplate', '{"type":"claim","v":1,"nameplate":1.5}', 'malformed'],
    ['a body that is not base64url', '{"type":"add","phase":"pake","body":"a b"}', 'malformed'],
    ['an unknown phase', '{"type":"add","phase":"words","body":"AAAA"}', 'malformed'],
    ['an add before allocate or claim', '{"type":"add","phase":"pake","body":"AAAA"}', 'bad-state'],
  ])('answers %s with %s and keeps the socket', async (_name, frame, code) => {
    const c = await MailboxClient.connect();
    c.send(frame);
    expect(await c.next()).toMatchObject({ type: 'error', code });
    // Still usable.
    c.send({ type: 'claim', v: INVITE_PROTOCOL_VERSION, nameplate: 9999 });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'unknown-code' });
  });

  it('answers a binary frame with malformed', async () => {
    const c = await MailboxClient.connect();
    c.sendBinary(new Uint8Array([1, 2, 3]));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'malformed' });
    c.close();
  });

  it('closes on a frame that is too large (1009)', async () => {
    const c = await MailboxClient.connect();
    c.send(JSON.stringify({ type: 'add', phase: 'pake', body: 'A'.repeat(MAX_INVITE_FRAME_CHARS) }));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'too-large' });
    expect((await c.closed).code).toBe(CloseCode.tooLarge);
  });

  it('refuses another protocol version with incompatible and 4000', async () => {
    const c = await MailboxClient.connect();
    c.send({ type: 'allocate', v: INVITE_PROTOCOL_VERSION + 1 });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'incompatible' });
    expect((await c.closed).code).toBe(CloseCode.incompatible);
  });

  it(`closes with 4003 after ${MAX_INVITE_PROTOCOL_ERRORS} protocol errors`, async () => {
    const c = await MailboxClient.connect();
    for (let i = 0; i < MAX_INVITE_PROTOCOL_ERRORS; i++) c.send('{nope');
    expect((await c.closed).code).toBe(CloseCode.protocolViolation);
  });

  it('refuses a second allocate or claim on the same socket', async () => {
    const { inviter } = await MailboxClient.allocate();
    inviter.send({ type: 'allocate', v: INVITE_PROTOCOL_VERSION });
    expect(await inviter.next()).toMatchObject({ type: 'error', code: 'bad-state' });
    inviter.send({ type: 'claim', v: INVITE_PROTOCOL_VERSION, nameplate: 1 });
    expect(await inviter.next()).toMatchObject({ type: 'error', code: 'bad-state' });
    inviter.close();
  });

  it('needs a WebSocket upgrade', async () => {
    const res = await SELF.fetch('http://example.com/api/invites/ws');
    expect(res.status).toBe(426);
  });
});

describe('test-only audit log', () => {
  it('records every frame the service received, verbatim', async () => {
    const { inviter } = await MailboxClient.allocate();
    inviter.send({ type: 'add', phase: 'pake', body: body('audit-marker') });
    inviter.close();
    await inviter.closed;
    const res = await SELF.fetch('http://example.com/api/invites/audit');
    const { entries } = (await res.json()) as { entries: string[] };
    expect(entries.some((e) => e.includes(body('audit-marker')))).toBe(true);
    expect(entries.some((e) => e.startsWith('GET /api/invites/ws'))).toBe(true);
  });
});
