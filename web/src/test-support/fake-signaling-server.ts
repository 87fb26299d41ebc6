/**
 * An in-process stand-in for the Room Durable Object, for Node tests of the whole core:
 * speaks the real protocol (validated with the shared module), assigns ids, stamps `from`,
 * honours resume tokens, and delivers frames asynchronously like a network would.
 */
import { PROTOCOL_VERSION, encodeMessage, parseClientMessage, type ServerMessage } from '../net/protocol.ts';
import type { SocketLike } from '../net/signaling-client.ts';

type Listener = (event: never) => void;

class ServerSideSocket implements SocketLike {
  readyState = 0;
  peer: string | null = null;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly server: FakeSignalingServer) {
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.fire('open', {});
    }, 1);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) return;
    setTimeout(() => this.server.receive(this, data), 0);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState > 1) return;
    this.readyState = 3;
    this.server.disconnect(this, code);
    setTimeout(() => this.fire('close', { code, reason }), 0);
  }

  deliver(message: ServerMessage): void {
    if (this.readyState !== 1) return;
    const data = encodeMessage(message);
    setTimeout(() => this.fire('message', { data }), 0);
  }

  fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: unknown) => void)(event);
  }
}

export class FakeSignalingServer {
  private readonly sockets = new Set<ServerSideSocket>();
  private nextId = 1;
  connections = 0;

  connect = (): SocketLike => {
    this.connections++;
    const socket = new ServerSideSocket(this);
    this.sockets.add(socket);
    return socket;
  };

  /** Drops every socket abnormally, as a crashed server would. */
  crash(): void {
    for (const socket of [...this.sockets]) {
      this.sockets.delete(socket);
      socket.readyState = 3;
      setTimeout(() => socket.fire('close', { code: 1006, reason: '' }), 0);
    }
  }

  receive(from: ServerSideSocket, data: string): void {
    const parsed = parseClientMessage(data);
    if (!parsed.ok) return from.deliver({ type: 'error', code: parsed.error.code, message: parsed.error.message });
    const message = parsed.message;
    if (message.type === 'hello') {
      if (message.v !== PROTOCOL_VERSION) return from.close(4000, 'incompatible');
      const resumed = message.resume && message.resume.token === this.tokenFor(message.resume.peer) ? message.resume.peer : null;
      const id = resumed ?? `peer${String(this.nextId++).padStart(12, '0')}`;
      const others = this.joined().filter((s) => s !== from);
      from.peer = id;
      from.deliver({ type: 'welcome', v: PROTOCOL_VERSION, self: id, peers: others.map((s) => s.peer!), resumeToken: this.tokenFor(id) });
      for (const other of others) other.deliver({ type: 'peer-joined', peer: id });
      return;
    }
    const target = this.joined().find((s) => s.peer === message.to);
    if (!from.peer || !target) return from.deliver({ type: 'error', code: 'unknown-peer', message: 'no such peer' });
    target.deliver({ type: 'signal', from: from.peer, payload: message.payload });
  }

  disconnect(socket: ServerSideSocket, code: number): void {
    if (!this.sockets.delete(socket) || !socket.peer) return;
    const reason = code === 1000 || code === 1001 ? 'left' : 'lost';
    for (const other of this.joined()) other.deliver({ type: 'peer-left', peer: socket.peer, reason });
  }

  private joined(): ServerSideSocket[] {
    return [...this.sockets].filter((s) => s.peer !== null && s.readyState === 1);
  }

  private tokenFor(peer: string): string {
    return (peer + 'T'.repeat(43)).slice(0, 43).replace(/[^A-Za-z0-9_-]/g, 'T');
  }
}
