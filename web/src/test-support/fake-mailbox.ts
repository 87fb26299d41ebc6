/**
 * An in-memory stand-in for the worker's invite mailbox (signaling-worker/src/invites.ts) with
 * the same rules that matter to clients: one claim per nameplate, messages held for a joiner,
 * release done/wrong-code closing both sides. Frames are delivered asynchronously and can be
 * tampered with, so flow tests can play a malicious server. It also records every frame.
 */
import {
  encodeInviteMessage,
  parseInviteClientMessage,
  type InviteServerMessage,
} from '../net/invite-protocol.ts';
import type { ConnectMailbox, MailboxHandlers } from '../invite/invite-flow.ts';

interface Side {
  handlers: MailboxHandlers;
  closed: boolean;
}

interface Box {
  mailbox: string;
  state: 'open' | 'claimed' | 'used' | 'burned';
  inviter: Side;
  joiner?: Side;
  held: InviteServerMessage[];
}

export class FakeMailbox {
  readonly frames: string[] = [];
  private readonly boxes = new Map<number, Box>();
  private next = 1;
  /** Rewrites a relayed message body (to play a server that tampers). */
  tamper: ((phase: string, body: string) => string) | undefined;

  readonly connect: ConnectMailbox = (_url, handlers) => {
    const side: Side = { handlers, closed: false };
    let nameplate: number | undefined;
    queueMicrotask(() => handlers.open());
    const deliver = (to: Side | undefined, m: InviteServerMessage) => {
      if (to && !to.closed) queueMicrotask(() => !to.closed && to.handlers.message(encodeInviteMessage(m)));
    };
    const closeBox = (box: Box, reason: 'done' | 'wrong-code' | 'peer-left') => {
      for (const s of [box.inviter, box.joiner]) {
        deliver(s, { type: 'closed', reason });
        if (s) queueMicrotask(() => close(s));
      }
    };
    const close = (s: Side) => {
      if (s.closed) return;
      s.closed = true;
      s.handlers.close();
    };
    return {
      send: (text) => {
        this.frames.push(text);
        const parsed = parseInviteClientMessage(text);
        if (!parsed.ok) throw new Error(`client sent a bad frame: ${parsed.error}`);
        const m = parsed.message;
        const box = nameplate === undefined ? undefined : this.boxes.get(nameplate);
        if (m.type === 'allocate') {
          nameplate = this.next++;
          const mailbox = 'M'.repeat(21) + String(nameplate % 10);
          this.boxes.set(nameplate, { mailbox, state: 'open', inviter: side, held: [] });
          deliver(side, { type: 'allocated', nameplate, mailbox, expiresAt: Date.now() + 600_000 });
        } else if (m.type === 'claim') {
          const target = this.boxes.get(m.nameplate);
          if (!target) return deliver(side, { type: 'error', code: 'unknown-code', message: 'unknown' });
          if (target.state !== 'open') return deliver(side, { type: 'error', code: 'already-used', message: 'used' });
          nameplate = m.nameplate;
          target.state = 'claimed';
          target.joiner = side;
          deliver(side, { type: 'claimed', mailbox: target.mailbox, expiresAt: Date.now() + 600_000 });
          for (const held of target.held) deliver(side, held);
        } else if (m.type === 'add' && box) {
          const body = this.tamper ? this.tamper(m.phase, m.body) : m.body;
          const message: InviteServerMessage = { type: 'message', phase: m.phase, body };
          const other = side === box.inviter ? box.joiner : box.inviter;
          if (other) deliver(other, message);
          else box.held.push(message);
        } else if (m.type === 'release' && box) {
          box.state = m.outcome === 'done' ? 'used' : 'burned';
          closeBox(box, m.outcome);
        }
      },
      close: () => {
        if (side.closed) return;
        side.closed = true;
        const box = nameplate === undefined ? undefined : this.boxes.get(nameplate);
        if (box?.state === 'claimed') {
          box.state = 'burned';
          closeBox(box, 'peer-left');
        }
      },
    };
  };
}
