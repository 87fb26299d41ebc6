/** A tiny signaling client for tests inside workerd: queues frames, awaits the next one. */
import { SELF } from 'cloudflare:test';
import {
  parseServerMessage,
  PROTOCOL_VERSION,
  type Sealed,
  type ServerMessage,
} from '../../web/src/net/protocol.ts';

export interface Closed {
  code: number;
  reason: string;
}

export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

/** What a reconnecting client sends in `hello.resume`. */
export interface Resume {
  peer: string;
  token: string;
}

/** A fresh random room id (16 bytes, base64url → 22 chars). */
export function newRoomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** A well-formed sealed payload (the server never decrypts it). */
export function sealed(tag = 'x'): Sealed {
  return { iv: 'AAAAAAAAAAAAAAAA', ct: `${tag}`.padEnd(22, 'A') };
}

export class TestClient {
  self = '';
  private readonly queue: ServerMessage[] = [];
  private readonly waiters: ((m: ServerMessage) => void)[] = [];
  readonly closed: Promise<Closed>;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (event) => {
        // Complete the close handshake from our side too.
        try {
          ws.close();
        } catch {
          // already closed
        }
        resolve({ code: event.code, reason: event.reason });
      });
    });
    ws.addEventListener('message', (event) => {
      const parsed = parseServerMessage(event.data);
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.error.message}`);
      const waiter = this.waiters.shift();
      if (waiter) waiter(parsed.message);
      else this.queue.push(parsed.message);
    });
    ws.accept();
  }

  static async connect(roomId: string): Promise<TestClient> {
    const res = await SELF.fetch(`http://example.com/api/rooms/${roomId}/ws`, {
      headers: { Upgrade: 'websocket' },
    });
    if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status}`);
    return new TestClient(res.webSocket);
  }

  /** Connects and says hello (optionally resuming a peer id); resolves with the welcome. */
  static async join(roomId: string, resume?: Resume): Promise<{ client: TestClient; welcome: Welcome }> {
    const client = await TestClient.connect(roomId);
    client.send(resume ? { type: 'hello', v: PROTOCOL_VERSION, resume } : { type: 'hello', v: PROTOCOL_VERSION });
    const welcome = await client.next();
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
    client.self = welcome.self;
    return { client, welcome };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  next(): Promise<ServerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Frames received but not yet consumed by next(). */
  get pending(): number {
    return this.queue.length;
  }

  /** Closes from the client side; 1000 (the default) is a clean leave, 4xxx counts as lost. */
  close(code = 1000, reason = 'bye'): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // already closed
    }
  }
}
