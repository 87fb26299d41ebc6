/** A mailbox client for tests inside workerd: queues server frames, awaits the next one. */
import { SELF } from 'cloudflare:test';
import {
  INVITE_PROTOCOL_VERSION,
  parseInviteServerMessage,
  type InviteServerMessage,
} from '../../web/src/net/invite-protocol.ts';
import { QueuedSocket } from './queued-socket.ts';

let clientCounter = 0;
/** A client address of its own, so per-client limits of one test do not leak into another. */
export function newClientAddress(): string {
  clientCounter++;
  return `192.0.2.${clientCounter % 250}:${Date.now()}:${Math.random()}`;
}

export class MailboxClient extends QueuedSocket<InviteServerMessage> {
  private constructor(ws: WebSocket) {
    super(ws, parseInviteServerMessage);
  }

  static async connect(client = newClientAddress(), query = ''): Promise<MailboxClient> {
    const res = await SELF.fetch(`http://example.com/api/invites/ws${query}`, {
      headers: { Upgrade: 'websocket', 'CF-Connecting-IP': client },
    });
    if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status}`);
    return new MailboxClient(res.webSocket);
  }

  /** Connects and allocates; resolves with the `allocated` frame. */
  static async allocate(client?: string, query = ''): Promise<{ inviter: MailboxClient; nameplate: number; mailbox: string; expiresAt: number }> {
    const inviter = await MailboxClient.connect(client, query);
    inviter.send({ type: 'allocate', v: INVITE_PROTOCOL_VERSION });
    const m = await inviter.next();
    if (m.type !== 'allocated') throw new Error(`expected allocated, got ${JSON.stringify(m)}`);
    return { inviter, nameplate: m.nameplate, mailbox: m.mailbox, expiresAt: m.expiresAt };
  }

  static async claim(nameplate: number, client?: string): Promise<{ joiner: MailboxClient; reply: InviteServerMessage }> {
    const joiner = await MailboxClient.connect(client);
    joiner.send({ type: 'claim', v: INVITE_PROTOCOL_VERSION, nameplate });
    return { joiner, reply: await joiner.next() };
  }
}
