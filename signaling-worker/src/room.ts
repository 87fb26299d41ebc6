/**
 * One signaling room: a Durable Object that owns the room's WebSockets through the
 * hibernation API and relays sealed `signal` frames between the peers that said `hello`.
 *
 * The server never sees signal contents (AES-GCM, see docs/protocol.md); it only
 * stamps the sender id, so a peer cannot impersonate another.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  CloseCode,
  encodeMessage,
  ErrorCode,
  MAX_PEERS_PER_ROOM,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type PeerId,
  type ServerMessage,
} from '../../web/src/net/protocol.ts';
import type { Env } from './env.ts';
import {
  MAX_PROTOCOL_ERRORS,
  MAX_SOCKETS_PER_ROOM,
  OVERAGE_BURST,
  OVERAGE_REFILL_PER_SEC,
  RATE_BURST,
  RATE_REFILL_PER_SEC,
  TokenBucket,
} from './limits.ts';

/** Per-socket state kept in the socket attachment so it survives hibernation. */
interface Attachment {
  id: PeerId;
  joined: boolean;
  /** Protocol errors so far; at MAX_PROTOCOL_ERRORS the socket is closed with 4003. */
  errors: number;
}

interface Buckets {
  rate: TokenBucket;
  overage: TokenBucket;
}

/** 12 random bytes → 16 base64url chars (matches PeerIdSchema). */
function newPeerId(): PeerId {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_');
}

const ERROR_TEXT: Record<ErrorCode, string> = {
  [ErrorCode.malformed]: 'The frame could not be understood.',
  [ErrorCode.unknownType]: 'Unknown message type.',
  [ErrorCode.incompatible]: `This server speaks protocol version ${PROTOCOL_VERSION}; please reload the app.`,
  [ErrorCode.tooLarge]: 'The frame is too large.',
  [ErrorCode.roomFull]: `This room already has ${MAX_PEERS_PER_ROOM} peers.`,
  [ErrorCode.rateLimited]: 'Too many messages; this one was dropped.',
  [ErrorCode.unknownPeer]: 'That peer is not in this room.',
  [ErrorCode.notJoined]: 'Send "hello" first.',
  [ErrorCode.alreadyJoined]: 'Already joined this room.',
  [ErrorCode.badRoom]: 'Invalid room id.',
};

export class Room extends DurableObject<Env> {
  /**
   * Rate-limit state lives in memory only: it is lost when the object hibernates, which is
   * fine because hibernation only happens after the room has been idle (no frames), i.e.
   * exactly when a refilled bucket would be full anyway. A WeakMap so sockets re-created
   * on wake-up do not leak entries.
   */
  private readonly buckets = new WeakMap<WebSocket, Buckets>();

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return Response.json({ error: 'upgrade-required' }, { status: 426 });
    }
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS_PER_ROOM) {
      return Response.json({ error: ErrorCode.roomFull }, { status: 429 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const attachment: Attachment = { id: newPeerId(), joined: false, errors: 0 };
    server.serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const me = this.attachment(ws);
    if (!me) return;

    if (!this.allowFrame(ws)) return;

    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      const { code, message } = parsed.error;
      if (code === ErrorCode.tooLarge) {
        this.fail(ws, code, message, CloseCode.tooLarge);
      } else {
        this.violation(ws, me, code, message);
      }
      return;
    }
    this.handle(ws, me, parsed.message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.leave(ws);
    // The hibernation API requires us to reciprocate the close handshake.
    // 1005/1006/1015 are reserved (cannot be sent), so answer those with 1000.
    const reply = code === 1005 || code === 1006 || code === 1015 ? CloseCode.normal : code;
    safeClose(ws, reply, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.leave(ws);
    safeClose(ws, CloseCode.normal, 'error');
  }

  // ---- message handling ------------------------------------------------------

  private handle(ws: WebSocket, me: Attachment, message: ClientMessage): void {
    if (message.type === 'hello') {
      if (me.joined) return this.violation(ws, me, ErrorCode.alreadyJoined);
      if (message.v !== PROTOCOL_VERSION) {
        return this.fail(
          ws,
          ErrorCode.incompatible,
          `client speaks protocol ${message.v}, server speaks ${PROTOCOL_VERSION}; please reload the app`,
          CloseCode.incompatible,
        );
      }
      const others = this.joinedPeers(ws);
      if (others.length >= MAX_PEERS_PER_ROOM) {
        return this.fail(ws, ErrorCode.roomFull, undefined, CloseCode.roomFull);
      }
      this.save(ws, { ...me, joined: true });
      send(ws, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        self: me.id,
        peers: others.map((p) => p.peer.id),
      });
      for (const other of others) send(other.ws, { type: 'peer-joined', peer: me.id });
      return;
    }

    // message.type === 'signal'
    if (!me.joined) return this.violation(ws, me, ErrorCode.notJoined);
    const target = message.to === me.id ? undefined : this.joinedPeers(ws).find((p) => p.peer.id === message.to);
    if (!target) {
      // Not a protocol violation: the target may simply have left a moment ago.
      sendError(ws, ErrorCode.unknownPeer);
      return;
    }
    // Rebuilt field by field: the sender id is stamped by the server, never taken from the client.
    send(target.ws, {
      type: 'signal',
      from: me.id,
      payload: { iv: message.payload.iv, ct: message.payload.ct },
    });
  }

  /** Takes a token for one inbound frame; false if the frame must be dropped. */
  private allowFrame(ws: WebSocket): boolean {
    const now = Date.now();
    let buckets = this.buckets.get(ws);
    if (!buckets) {
      buckets = {
        rate: new TokenBucket(RATE_BURST, RATE_REFILL_PER_SEC, now),
        overage: new TokenBucket(OVERAGE_BURST, OVERAGE_REFILL_PER_SEC, now),
      };
      this.buckets.set(ws, buckets);
    }
    if (buckets.rate.take(now)) return true;
    if (buckets.overage.take(now)) {
      sendError(ws, ErrorCode.rateLimited);
    } else {
      this.fail(ws, ErrorCode.rateLimited, 'Too many messages; closing.', CloseCode.rateLimited);
    }
    return false;
  }

  /** A recoverable client bug: report it, and close with 4003 once there were too many. */
  private violation(ws: WebSocket, me: Attachment, code: ErrorCode, message?: string): void {
    const errors = me.errors + 1;
    if (errors >= MAX_PROTOCOL_ERRORS) {
      this.fail(ws, code, message, CloseCode.protocolViolation);
      return;
    }
    this.save(ws, { ...me, errors });
    sendError(ws, code, message);
  }

  /** A fatal error: report it, tell the others the peer left, close the socket. */
  private fail(ws: WebSocket, code: ErrorCode, message: string | undefined, close: CloseCode): void {
    sendError(ws, code, message);
    this.leave(ws);
    safeClose(ws, close, code);
  }

  /** Marks the socket as gone and tells the remaining peers, exactly once. */
  private leave(ws: WebSocket): void {
    const me = this.attachment(ws);
    this.buckets.delete(ws);
    if (!me?.joined) return;
    this.save(ws, { ...me, joined: false });
    for (const other of this.joinedPeers(ws)) send(other.ws, { type: 'peer-left', peer: me.id });
  }

  // ---- helpers ---------------------------------------------------------------

  private joinedPeers(except: WebSocket): { ws: WebSocket; peer: Attachment }[] {
    const out: { ws: WebSocket; peer: Attachment }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue;
      const peer = this.attachment(ws);
      if (peer?.joined) out.push({ ws, peer });
    }
    return out;
  }

  private attachment(ws: WebSocket): Attachment | undefined {
    try {
      return (ws.deserializeAttachment() as Attachment | null) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private save(ws: WebSocket, attachment: Attachment): void {
    try {
      ws.serializeAttachment(attachment);
    } catch {
      // The socket is already gone; nothing to keep.
    }
  }
}

/** Sends one frame; a broken socket must never affect the sender's other work. */
function send(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(encodeMessage(message));
  } catch {
    // The peer is closing; its own close event will clean up.
  }
}

function sendError(ws: WebSocket, code: ErrorCode, message?: string): void {
  send(ws, { type: 'error', code, message: (message ?? ERROR_TEXT[code]).slice(0, 500) });
}

function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    // Already closed.
  }
}
