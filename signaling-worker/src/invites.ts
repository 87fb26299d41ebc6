/**
 * The invite mailbox service: one Durable Object that allocates nameplates and relays the few
 * opaque messages of a PAKE between an inviter and one joiner (docs/invites.md).
 *
 * What it enforces, since it is the only party both sides reach:
 * - a nameplate can be claimed once, ever (until it expires): one guess per code;
 * - a failed key confirmation, or a side leaving mid-exchange, burns the code and tells both;
 * - codes expire (alarm) ten minutes after allocation;
 * - allocations and claims are rate-limited per client address.
 * It never sees the code's words or the room link in clear: only the nameplate and ciphertext.
 *
 * Nameplate records live in the synchronous KV storage so they survive hibernation; sockets
 * carry their role and nameplate in their attachment.
 */
import { DurableObject } from 'cloudflare:workers';
import { CloseCode } from '../../web/src/net/protocol.ts';
import {
  encodeInviteMessage,
  INVITE_PROTOCOL_VERSION,
  INVITE_TTL_MS,
  InviteErrorCode,
  MailboxClosedReason,
  MAX_MESSAGES_PER_SIDE,
  MAX_NAMEPLATE,
  parseInviteClientMessage,
  type InviteClientMessage,
  type InviteServerMessage,
  type MailboxPhase,
} from '../../web/src/net/invite-protocol.ts';
import { randomBase64Url } from './base64.ts';
import { readAttachment, safeClose, saveAttachment, sendText } from './hibernating-socket.ts';
import type { Env } from './env.ts';
import { ClientLimits } from './client-limits.ts';
import { MAX_AUDIT_ENTRIES, MAX_INVITE_PROTOCOL_ERRORS, MAX_INVITE_SOCKETS, TEST_TTL_RANGE_SECONDS } from './invite-limits.ts';

type Role = 'inviter' | 'joiner';

interface Attachment {
  role: Role | null;
  nameplate: number | null;
  errors: number;
  /** Client address, for the per-client limits. */
  client: string;
  ttlMs: number;
}

type NameplateState = 'open' | 'claimed' | 'used' | 'burned' | 'expired';

interface NameplateRecord {
  nameplate: number;
  mailbox: string;
  expiresAt: number;
  /**
   * The record (and its nameplate) is kept ten more minutes after the code ends, so a late
   * claim hears "expired" or "already used" instead of "unknown", and cannot hit a newer code.
   */
  forgetAt: number;
  state: NameplateState;
  /** What the inviter added before anyone claimed; delivered on claim. */
  held: { phase: MailboxPhase; body: string }[];
  added: Record<Role, number>;
}

const KEY_PREFIX = 'np:';
const MAX_CLIENT_ADDRESS_CHARS = 64;
const AUDIT_KEY = 'audit';
const key = (nameplate: number): string => `${KEY_PREFIX}${String(nameplate).padStart(4, '0')}`;

const ERROR_TEXT: Record<InviteErrorCode, string> = {
  [InviteErrorCode.malformed]: 'The frame could not be understood.',
  [InviteErrorCode.unknownType]: 'Unknown message type.',
  [InviteErrorCode.incompatible]: `This server speaks invite protocol ${INVITE_PROTOCOL_VERSION}; please reload the app.`,
  [InviteErrorCode.tooLarge]: 'The frame is too large.',
  [InviteErrorCode.rateLimited]: 'Too many messages.',
  [InviteErrorCode.badState]: 'That message is not expected now.',
  [InviteErrorCode.unknownCode]: 'No invite has this number. Check the code, or ask for a new one.',
  [InviteErrorCode.expired]: 'This code has expired. Ask for a new one.',
  [InviteErrorCode.alreadyUsed]: 'This code has already been used. Ask for a new one.',
  [InviteErrorCode.tooManyAttempts]: 'Too many attempts from this device. Wait a few minutes and try again.',
  [InviteErrorCode.noNameplates]: 'Too many invites are open right now. Try again in a few minutes.',
};

export class Invites extends DurableObject<Env> {
  private readonly limits = new ClientLimits(this.ctx.storage.kv);

  private get testHooks(): boolean {
    return this.env.INVITE_TEST_HOOKS === '1';
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/api/invites/audit') {
      if (!this.testHooks) return Response.json({ error: 'not-found' }, { status: 404 });
      return Response.json({ entries: this.ctx.storage.kv.get<string[]>(AUDIT_KEY) ?? [] });
    }
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json({ error: 'upgrade-required' }, { status: 426 });
    }
    if (this.ctx.getWebSockets().length >= MAX_INVITE_SOCKETS) {
      return Response.json({ error: InviteErrorCode.rateLimited }, { status: 429 });
    }
    this.audit(`${request.method} ${url.pathname}${url.search}`);
    // Set by Cloudflare (an IP address); capped so it can key storage whatever a local proxy sends.
    const clientAddress = (request.headers.get('CF-Connecting-IP') ?? 'unknown').slice(0, MAX_CLIENT_ADDRESS_CHARS);
    if (!this.limits.connect(clientAddress, Date.now())) {
      return Response.json({ error: InviteErrorCode.tooManyAttempts }, { status: 429 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const attachment: Attachment = {
      role: null,
      nameplate: null,
      errors: 0,
      client: clientAddress,
      ttlMs: this.ttlFor(url),
    };
    server.serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const me = readAttachment<Attachment>(ws);
    if (!me) return;
    this.audit(typeof raw === 'string' ? raw : `<binary ${raw.byteLength} bytes>`);
    const parsed = parseInviteClientMessage(raw);
    if (!parsed.ok) {
      if (parsed.code === InviteErrorCode.tooLarge) return this.fail(ws, parsed.code, parsed.error, CloseCode.tooLarge);
      return this.violation(ws, me, parsed.code, parsed.error);
    }
    const message = parsed.message;
    switch (message.type) {
      case 'allocate':
        return this.allocate(ws, me, message.v);
      case 'claim':
        return this.claim(ws, me, message.v, message.nameplate);
      case 'add':
        return this.add(ws, me, message);
      case 'release':
        return this.release(ws, me, message.outcome);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.gone(ws);
    const reply = code === 1005 || code === 1006 || code === 1015 ? CloseCode.normal : code;
    safeClose(ws, reply, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.gone(ws);
    safeClose(ws, CloseCode.normal, 'error');
  }

  /** Ends every code whose time has come (telling whoever still waits on it) and forgets old records. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const [k, record] of this.ctx.storage.kv.list<NameplateRecord>({ prefix: KEY_PREFIX })) {
      if (record.forgetAt <= now) {
        this.ctx.storage.kv.delete(k);
      } else if (record.expiresAt <= now && isLive(record)) {
        this.ctx.storage.kv.put(k, { ...record, state: 'expired' } satisfies NameplateRecord);
        this.closeMailbox(record.nameplate, MailboxClosedReason.expired);
      }
    }
    this.limits.prune(now);
    await this.scheduleAlarm();
  }

  // ---- messages --------------------------------------------------------------

  private allocate(ws: WebSocket, me: Attachment, version: number): void {
    if (me.role) return this.violation(ws, me, InviteErrorCode.badState);
    if (!this.versionOk(ws, version)) return;
    if (!this.limits.allocate(me.client, Date.now())) {
      return this.fail(ws, InviteErrorCode.tooManyAttempts, undefined, CloseCode.rateLimited);
    }
    const nameplate = this.freeNameplate();
    if (nameplate === undefined) return this.fail(ws, InviteErrorCode.noNameplates, undefined, CloseCode.normal);
    const record: NameplateRecord = {
      nameplate,
      mailbox: randomBase64Url(16),
      expiresAt: Date.now() + me.ttlMs,
      forgetAt: Date.now() + me.ttlMs + INVITE_TTL_MS,
      state: 'open',
      held: [],
      added: { inviter: 0, joiner: 0 },
    };
    this.ctx.storage.kv.put(key(nameplate), record);
    saveAttachment(ws, { ...me, role: 'inviter', nameplate });
    send(ws, { type: 'allocated', nameplate, mailbox: record.mailbox, expiresAt: record.expiresAt });
    void this.scheduleAlarm();
  }

  private claim(ws: WebSocket, me: Attachment, version: number, nameplate: number): void {
    if (me.role) return this.violation(ws, me, InviteErrorCode.badState);
    if (!this.versionOk(ws, version)) return;
    // Counted before the lookup, so probing for nameplates costs the same as guessing words.
    const { allowed, fullAt } = this.limits.claim(me.client, Date.now());
    void this.alarmBy(fullAt); // not scheduleAlarm: that reads every stored bucket
    if (!allowed) return this.fail(ws, InviteErrorCode.tooManyAttempts, undefined, CloseCode.rateLimited);
    const record = this.record(nameplate);
    if (!record) return this.fail(ws, InviteErrorCode.unknownCode, undefined, CloseCode.normal);
    if (record.expiresAt <= Date.now() || record.state === 'expired') return this.fail(ws, InviteErrorCode.expired, undefined, CloseCode.normal);
    if (record.state !== 'open') return this.fail(ws, InviteErrorCode.alreadyUsed, undefined, CloseCode.normal);
    const held = record.held;
    this.ctx.storage.kv.put(key(nameplate), { ...record, state: 'claimed', held: [] } satisfies NameplateRecord);
    saveAttachment(ws, { ...me, role: 'joiner', nameplate });
    send(ws, { type: 'claimed', mailbox: record.mailbox, expiresAt: record.expiresAt });
    for (const m of held) send(ws, { type: 'message', ...m });
  }

  private add(ws: WebSocket, me: Attachment, message: Extract<InviteClientMessage, { type: 'add' }>): void {
    const record = me.role && me.nameplate !== null ? this.record(me.nameplate) : undefined;
    if (!me.role || !record || !isLive(record)) {
      return this.violation(ws, me, InviteErrorCode.badState);
    }
    if (record.added[me.role] >= MAX_MESSAGES_PER_SIDE) return this.violation(ws, me, InviteErrorCode.badState, 'Too many mailbox messages.');
    const { phase, body } = message;
    const updated: NameplateRecord = { ...record, added: { ...record.added, [me.role]: record.added[me.role] + 1 } };
    const other = this.socketOf(record.nameplate, me.role === 'inviter' ? 'joiner' : 'inviter');
    if (other) send(other, { type: 'message', phase, body });
    else if (me.role === 'inviter' && record.state === 'open') updated.held = [...record.held, { phase, body }];
    else return this.violation(ws, me, InviteErrorCode.badState);
    this.ctx.storage.kv.put(key(record.nameplate), updated);
  }

  private release(ws: WebSocket, me: Attachment, outcome: 'done' | 'wrong-code'): void {
    const record = me.nameplate !== null ? this.record(me.nameplate) : undefined;
    if (!record || record.state !== 'claimed') return this.violation(ws, me, InviteErrorCode.badState);
    if (outcome === MailboxClosedReason.done && me.role !== 'joiner') return this.violation(ws, me, InviteErrorCode.badState);
    // The record stays (used or burned) until it expires, so a second claim says "already used".
    this.ctx.storage.kv.put(key(record.nameplate), { ...record, state: outcome === 'done' ? 'used' : 'burned' } satisfies NameplateRecord);
    this.closeMailbox(record.nameplate, outcome);
  }

  /** A socket went away: an unclaimed code is released; a half-finished exchange is burned. */
  private gone(ws: WebSocket): void {
    const me = readAttachment<Attachment>(ws);
    if (!me?.role || me.nameplate === null) return;
    saveAttachment(ws, { ...me, role: null, nameplate: null });
    const record = this.record(me.nameplate);
    if (!record) return;
    if (record.state === 'open' && me.role === 'inviter') {
      this.ctx.storage.kv.delete(key(record.nameplate));
    } else if (record.state === 'claimed') {
      this.ctx.storage.kv.put(key(record.nameplate), { ...record, state: 'burned' } satisfies NameplateRecord);
      this.closeMailbox(record.nameplate, MailboxClosedReason.peerLeft);
    }
  }

  // ---- helpers ---------------------------------------------------------------

  private versionOk(ws: WebSocket, version: number): boolean {
    if (version === INVITE_PROTOCOL_VERSION) return true;
    this.fail(ws, InviteErrorCode.incompatible, `client speaks invite protocol ${version}, server ${INVITE_PROTOCOL_VERSION}; please reload the app`, CloseCode.incompatible);
    return false;
  }

  /** Tells both sides of a mailbox why it closed, then closes their sockets. */
  private closeMailbox(nameplate: number, reason: MailboxClosedReason): void {
    for (const ws of this.ctx.getWebSockets()) {
      const a = readAttachment<Attachment>(ws);
      if (a?.nameplate !== nameplate || !a.role) continue;
      saveAttachment(ws, { ...a, role: null, nameplate: null });
      send(ws, { type: 'closed', reason });
      safeClose(ws, CloseCode.normal, reason);
    }
  }

  private socketOf(nameplate: number, role: Role): WebSocket | undefined {
    return this.ctx.getWebSockets().find((ws) => {
      const a = readAttachment<Attachment>(ws);
      return a?.nameplate === nameplate && a.role === role;
    });
  }

  private record(nameplate: number): NameplateRecord | undefined {
    return this.ctx.storage.kv.get<NameplateRecord>(key(nameplate));
  }

  /** The smallest nameplate without a record (records past forgetAt count as free). */
  private freeNameplate(): number | undefined {
    const now = Date.now();
    let candidate = 1;
    for (const [k, record] of this.ctx.storage.kv.list<NameplateRecord>({ prefix: KEY_PREFIX })) {
      if (record.forgetAt <= now) {
        this.ctx.storage.kv.delete(k);
        continue;
      }
      if (record.nameplate !== candidate) break;
      candidate++;
    }
    return candidate <= MAX_NAMEPLATE ? candidate : undefined;
  }

  private async scheduleAlarm(): Promise<void> {
    let earliest = Infinity;
    for (const [, record] of this.ctx.storage.kv.list<NameplateRecord>({ prefix: KEY_PREFIX })) {
      earliest = Math.min(earliest, isLive(record) ? record.expiresAt : record.forgetAt);
    }
    earliest = Math.min(earliest, this.limits.earliestFull(Date.now()));
    if (earliest !== Infinity) await this.alarmBy(earliest);
  }

  private async alarmBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private ttlFor(url: URL): number {
    const asked = Number(url.searchParams.get('ttl'));
    if (!this.testHooks || !Number.isFinite(asked) || asked <= 0) return INVITE_TTL_MS;
    return Math.min(TEST_TTL_RANGE_SECONDS.max, Math.max(TEST_TTL_RANGE_SECONDS.min, asked)) * 1000;
  }

  private violation(ws: WebSocket, me: Attachment, code: InviteErrorCode, message?: string): void {
    const errors = me.errors + 1;
    if (errors >= MAX_INVITE_PROTOCOL_ERRORS) return this.fail(ws, code, message, CloseCode.protocolViolation);
    saveAttachment(ws, { ...me, errors });
    sendError(ws, code, message);
  }

  /** Reports the error, then closes the socket (which may release or burn its code). */
  private fail(ws: WebSocket, code: InviteErrorCode, message: string | undefined, close: number): void {
    sendError(ws, code, message);
    this.gone(ws);
    safeClose(ws, close, code);
  }

  /** Test hooks only: what the service received, verbatim. */
  private audit(entry: string): void {
    if (!this.testHooks) return;
    const entries = this.ctx.storage.kv.get<string[]>(AUDIT_KEY) ?? [];
    entries.push(entry.slice(0, 8192));
    this.ctx.storage.kv.put(AUDIT_KEY, entries.slice(-MAX_AUDIT_ENTRIES));
  }
}

/** Open (waiting for a joiner) or claimed (exchange under way). */
function isLive(record: NameplateRecord): boolean {
  return record.state === 'open' || record.state === 'claimed';
}

function send(ws: WebSocket, message: InviteServerMessage): void {
  sendText(ws, encodeInviteMessage(message));
}

function sendError(ws: WebSocket, code: InviteErrorCode, message?: string): void {
  send(ws, { type: 'error', code, message: (message ?? ERROR_TEXT[code]).slice(0, 500) });
}
