/**
 * The two sides of a code invite over the worker's mailbox (docs/invites.md):
 *
 *   inviter                         worker                          joiner
 *   allocate ───────────────────▶  nameplate 7, mailbox m
 *   add pake Ya  ───────────────▶  (held)          ◀──────────────  claim 7
 *                                  claimed m, pake Ya ────────────▶
 *                ◀───────────────  pake Yb, confirm Tb ◀─────────── (CPace, tag Tb)
 *   check Tb ─ wrong? release wrong-code: both told, code burned
 *   add confirm Ta, link (sealed) ─────────────────────────────────▶ check Ta, open link
 *                ◀───────────────  closed done  ◀───────────────── release done
 *
 * Messages are keyed by phase, not by arrival order. No DOM here: the socket comes from a
 * ConnectMailbox (webSocketConnector in the browser, a fake in tests).
 */
import {
  encodeInviteMessage,
  INVITE_PROTOCOL_VERSION,
  INVITE_WS_PATH,
  InviteErrorCode,
  MailboxClosedReason,
  parseInviteServerMessage,
  type InviteClientMessage,
  type InviteServerMessage,
  type MailboxPhase,
} from '../net/invite-protocol.ts';
import { toBase64Url } from '../net/base64url.ts';
import { parseRoomLocation, roomPath, type RoomAddress } from '../net/room-url.ts';
import { InviteKeys, cpaceInputs } from './invite-crypto.ts';
import { codePassword, formatJoinCode, randomWords, type JoinCode } from './join-code.ts';

export interface MailboxTransport {
  send(text: string): void;
  close(): void;
}
export interface MailboxHandlers {
  open(): void;
  message(data: unknown): void;
  close(): void;
}
export type ConnectMailbox = (url: string, handlers: MailboxHandlers) => MailboxTransport;

/** The browser's WebSocket (Node 20 has none; tests pass their own connector). */
export const webSocketConnector: ConnectMailbox = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (e) => handlers.message(e.data);
  ws.onclose = () => handlers.close();
  return { send: (text) => ws.send(text), close: () => ws.close(1000) };
};

/** `http(s)://host` → `ws(s)://host/api/invites/ws`. */
export function mailboxUrl(origin: string, query = ''): string {
  return `${origin.replace(/^http/, 'ws')}${INVITE_WS_PATH}${query}`;
}

export const InviteFailure = {
  wrongCode: 'wrong-code',
  expired: 'expired',
  unknownCode: 'unknown-code',
  alreadyUsed: 'already-used',
  tooManyAttempts: 'too-many-attempts',
  peerLeft: 'peer-left',
  busy: 'busy',
  network: 'network',
  incompatible: 'incompatible',
  badInvite: 'bad-invite',
  server: 'server',
} as const;
export type InviteFailure = (typeof InviteFailure)[keyof typeof InviteFailure];

/** What a person reads, with the way forward. */
export const INVITE_FAILURE_TEXT: Record<InviteFailure, string> = {
  'wrong-code': 'The code words did not match, so the code is now burned and cannot be used again. Ask for a new code.',
  expired: 'This code has expired (codes last 10 minutes). Ask for a new one.',
  'unknown-code': 'No invite has this number. Check the code, or ask for a new one.',
  'already-used': 'This code has already been used. Ask for a new one.',
  'too-many-attempts': 'Too many attempts from this device. Wait a few minutes, then try again.',
  'peer-left': 'The other side left before the invite finished, so the code is burned. Start a new invite.',
  busy: 'Too many invites are open right now. Try again in a few minutes, or share the link instead.',
  network: 'Could not reach the Meshpad server. Check your connection and try again, or share the link instead.',
  incompatible: 'This app is out of date. Reload the page and try again.',
  'bad-invite': 'The invite did not contain a valid Meshpad room link. Ask for a new code.',
  server: 'The invite failed on the server. Try again.',
};

const ERROR_FAILURE: Partial<Record<InviteErrorCode, InviteFailure>> = {
  [InviteErrorCode.unknownCode]: InviteFailure.unknownCode,
  [InviteErrorCode.expired]: InviteFailure.expired,
  [InviteErrorCode.alreadyUsed]: InviteFailure.alreadyUsed,
  [InviteErrorCode.tooManyAttempts]: InviteFailure.tooManyAttempts,
  [InviteErrorCode.noNameplates]: InviteFailure.busy,
  [InviteErrorCode.incompatible]: InviteFailure.incompatible,
};

const CLOSED_FAILURE: Record<Exclude<MailboxClosedReason, 'done'>, InviteFailure> = {
  'wrong-code': InviteFailure.wrongCode,
  expired: InviteFailure.expired,
  'peer-left': InviteFailure.peerLeft,
};

export type InviteStatus =
  | { phase: 'connecting' }
  | { phase: 'waiting'; code: string; expiresAt: number }
  | { phase: 'exchanging'; code: string; expiresAt: number }
  | { phase: 'done'; code: string }
  | { phase: 'failed'; failure: InviteFailure; message: string };

function failed(failure: InviteFailure): Extract<InviteStatus, { phase: 'failed' }> {
  return { phase: 'failed', failure, message: INVITE_FAILURE_TEXT[failure] };
}

/** One mailbox connection: parses frames, collects messages by phase, ends exactly once. */
class Mailbox {
  private readonly transport: MailboxTransport;
  private readonly got = new Map<MailboxPhase, string>();
  private ended = false;

  constructor(
    connect: ConnectMailbox,
    url: string,
    private readonly on: {
      open(): void;
      frame(m: Exclude<InviteServerMessage, { type: 'message' }>): void;
      phase(got: ReadonlyMap<MailboxPhase, string>): void;
      end(failure: InviteFailure | null): void;
    },
  ) {
    this.transport = connect(url, {
      open: () => this.on.open(),
      message: (data) => this.receive(data),
      close: () => this.end(InviteFailure.network),
    });
  }

  send(message: InviteClientMessage): void {
    if (!this.ended) this.transport.send(encodeInviteMessage(message));
  }

  /** Ends the exchange: `null` for success. Later events are ignored. */
  end(failure: InviteFailure | null): void {
    if (this.ended) return;
    this.ended = true;
    this.transport.close();
    this.on.end(failure);
  }

  private receive(data: unknown): void {
    if (this.ended) return;
    const parsed = parseInviteServerMessage(data);
    if (!parsed.ok) return this.end(InviteFailure.server);
    const m = parsed.message;
    if (m.type === 'error') return this.end(ERROR_FAILURE[m.code] ?? InviteFailure.server);
    if (m.type === 'closed') return this.end(m.reason === 'done' ? null : CLOSED_FAILURE[m.reason]);
    if (m.type === 'message') {
      if (this.got.has(m.phase)) return this.end(InviteFailure.server);
      this.got.set(m.phase, m.body);
      return this.on.phase(this.got);
    }
    this.on.frame(m);
  }
}

export interface InviteOptions {
  /** Where the mailbox lives, e.g. mailboxUrl(location.origin). */
  url: string;
  room: RoomAddress;
  connect?: ConnectMailbox;
  onStatus(status: InviteStatus): void;
}

/** Starts an invite: allocates a code, waits for one joiner, hands it the sealed room link. */
export function startInvite(options: InviteOptions): { cancel(): void } {
  const link = roomPath(options.room);
  const words = randomWords();
  let code = '';
  let expiresAt = 0;
  let keys: InviteKeys | undefined;
  let sent = false;
  let cancelled = false;
  options.onStatus({ phase: 'connecting' });
  const mailbox: Mailbox = new Mailbox(options.connect ?? webSocketConnector, options.url, {
    open: () => mailbox.send({ type: 'allocate', v: INVITE_PROTOCOL_VERSION }),
    frame: (m) => {
      if (m.type !== 'allocated' || keys) return mailbox.end(InviteFailure.server);
      code = formatJoinCode({ nameplate: m.nameplate, words });
      expiresAt = m.expiresAt;
      keys = new InviteKeys(cpaceInputs(codePassword({ nameplate: m.nameplate, words }), m.nameplate, m.mailbox), 'initiator');
      mailbox.send({ type: 'add', phase: 'pake', body: toBase64Url(keys.share) });
      options.onStatus({ phase: 'waiting', code, expiresAt });
    },
    phase: (got) => {
      const share = got.get('pake');
      const tag = got.get('confirm');
      if (!keys || sent || share === undefined || tag === undefined) return;
      options.onStatus({ phase: 'exchanging', code, expiresAt });
      try {
        keys.receiveShare(share);
      } catch {
        return wrongCode();
      }
      if (!keys.verifyPeerTag(tag, share)) return wrongCode();
      sent = true;
      const k = keys;
      mailbox.send({ type: 'add', phase: 'confirm', body: k.ownTag() });
      void k.sealLink(link).then((sealed) => mailbox.send({ type: 'add', phase: 'link', body: sealed }));
    },
    end: (failure) => {
      if (!cancelled) options.onStatus(failure ? failed(failure) : { phase: 'done', code });
    },
  });
  const wrongCode = (): void => {
    // Tell the worker so it burns the code and tells the joiner; we stop here either way.
    mailbox.send({ type: 'release', outcome: 'wrong-code' });
    mailbox.end(InviteFailure.wrongCode);
  };
  return {
    cancel: () => {
      cancelled = true;
      mailbox.end(null);
    },
  };
}

export type JoinResult = { ok: true; room: RoomAddress } | { ok: false; failure: InviteFailure; message: string };

export interface JoinOptions {
  url: string;
  code: JoinCode;
  connect?: ConnectMailbox;
  onProgress?(step: 'connecting' | 'exchanging'): void;
}

/** Claims a code, runs CPace with its words, and returns the room it unlocks. */
export function joinWithCode(options: JoinOptions): Promise<JoinResult> {
  const { code } = options;
  return new Promise((resolve) => {
    let keys: InviteKeys | undefined;
    let room: RoomAddress | undefined;
    let opening = false;
    options.onProgress?.('connecting');
    const mailbox: Mailbox = new Mailbox(options.connect ?? webSocketConnector, options.url, {
      open: () => mailbox.send({ type: 'claim', v: INVITE_PROTOCOL_VERSION, nameplate: code.nameplate }),
      frame: (m) => {
        if (m.type !== 'claimed' || keys) return mailbox.end(InviteFailure.server);
        keys = new InviteKeys(cpaceInputs(codePassword(code), code.nameplate, m.mailbox), 'responder');
        options.onProgress?.('exchanging');
      },
      phase: (got) => {
        if (!keys) return mailbox.end(InviteFailure.server);
        const share = got.get('pake');
        if (share === undefined) return;
        if (!got.has('confirm') && !got.has('link') && got.size === 1) {
          try {
            keys.receiveShare(share);
          } catch {
            return wrongCode();
          }
          mailbox.send({ type: 'add', phase: 'pake', body: toBase64Url(keys.share) });
          mailbox.send({ type: 'add', phase: 'confirm', body: keys.ownTag() });
          return;
        }
        const tag = got.get('confirm');
        const sealed = got.get('link');
        if (tag === undefined || sealed === undefined || opening) return;
        if (!keys.verifyPeerTag(tag, share)) return wrongCode();
        opening = true;
        void keys.openLink(sealed).then(
          (link) => {
            const url = new URL(link, 'https://meshpad.invalid');
            const parsed = parseRoomLocation(url.pathname, url.hash);
            if (!parsed.ok || url.origin !== 'https://meshpad.invalid') {
              mailbox.send({ type: 'release', outcome: 'wrong-code' });
              return mailbox.end(InviteFailure.badInvite);
            }
            room = parsed.room;
            mailbox.send({ type: 'release', outcome: 'done' });
          },
          () => wrongCode(),
        );
      },
      end: (failure) => {
        // Once the link is open the invite has worked, even if the final `closed` never arrives.
        if (room) resolve({ ok: true, room });
        else resolve({ ok: false, failure: failure ?? InviteFailure.server, message: INVITE_FAILURE_TEXT[failure ?? InviteFailure.server] });
      },
    });
    const wrongCode = (): void => {
      mailbox.send({ type: 'release', outcome: 'wrong-code' });
      mailbox.end(InviteFailure.wrongCode);
    };
  });
}

