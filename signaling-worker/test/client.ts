/** A tiny signaling client for tests inside workerd: queues frames, awaits the next one. */
import { SELF } from 'cloudflare:test';
import {
  parseServerMessage,
  PROTOCOL_VERSION,
  type Sealed,
  type ServerMessage,
} from '../../web/src/net/protocol.ts';
import { QueuedSocket } from './queued-socket.ts';

export type { Closed } from './queued-socket.ts';

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

export class TestClient extends QueuedSocket<ServerMessage> {
  self = '';

  private constructor(ws: WebSocket) {
    super(ws, parseServerMessage);
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
}
