/**
 * One signaling room: a Durable Object that owns the room's WebSockets through the
 * hibernation API and relays sealed `signal` frames between the peers that said `hello`.
 *
 * The server never sees signal contents (AES-GCM, see docs/protocol.md); it only
 * stamps the sender id, so a peer cannot impersonate another.
 *
 * A reconnecting socket may take back its previous peer id with the resume token it got in
 * `welcome` (see resume.ts); the socket that still holds that id is then closed with 4004
 * and, since the peer did not go away, nobody is told it left.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  CloseCode,
  encodeMessage,
  ErrorCode,
  MAX_PEERS_PER_ROOM,
  parseClientMessage,
  PROTOCOL_VERSION,
  PeerLeftReason,
  type ClientMessage,
  type HelloMessage,
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
import { readAttachment, safeClose, saveAttachment, sendText } from './hibernating-socket.ts';
import { newPeerId } from './peer-id.ts';
import { loadResumeKey, signResumeToken, verifyResumeToken } from './resume.ts';

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

/** 1000 (normal) and 1001 (going away: page closed) are clean closes; anything else is a loss. */
function leftReason(code: number): PeerLeftReason {
  return code === 1000 || code === 1001 ? PeerLeftReason.left : PeerLeftReason.lost;
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
  /**
   * Sockets that closed, errored or were closed by us. A `hello` awaits HMACs, and the socket
   * may go away meanwhile; it must not join then. In memory only: the object cannot hibernate
   * while a hello is pending.
   */
  private readonly gone = new WeakSet<WebSocket>();
  /** The room's resume-token key, loaded (or created) on the first hello. */
  private resumeKey: Promise<CryptoKey> | undefined;

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
    const me = readAttachment<Attachment>(ws);
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
    if (parsed.message.type === 'hello') await this.hello(ws, me, parsed.message);
    else this.signal(ws, me, parsed.message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.leave(ws, leftReason(code));
    // The hibernation API requires us to reciprocate the close handshake.
    // 1005/1006/1015 are reserved (cannot be sent), so answer those with 1000.
    const reply = code === 1005 || code === 1006 || code === 1015 ? CloseCode.normal : code;
    safeClose(ws, reply, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.leave(ws, PeerLeftReason.lost);
    safeClose(ws, CloseCode.normal, 'error');
  }

  // ---- message handling ------------------------------------------------------

  private async hello(ws: WebSocket, me: Attachment, message: HelloMessage): Promise<void> {
    if (me.joined) return this.violation(ws, me, ErrorCode.alreadyJoined);
    if (message.v !== PROTOCOL_VERSION) {
      return this.fail(
        ws,
        ErrorCode.incompatible,
        `client speaks protocol ${message.v}, server speaks ${PROTOCOL_VERSION}; please reload the app`,
        CloseCode.incompatible,
      );
    }

    // All the async work (HMACs) first: the checks and the join below run without an await
    // in between, so they see one consistent room. A bad token is not an error: the socket
    // just keeps its fresh id.
    const key = await this.loadResumeKey();
    const { resume } = message;
    const id = resume && (await verifyResumeToken(key, resume.peer, resume.token)) ? resume.peer : me.id;
    const resumeToken = await signResumeToken(key, id);

    // The socket may have closed, or another hello of it joined, while we were awaiting.
    const current = readAttachment<Attachment>(ws);
    if (!current || this.gone.has(ws)) return;
    if (current.joined) return this.violation(ws, current, ErrorCode.alreadyJoined);

    const others = this.joinedPeers(ws).filter((p) => p.peer.id !== id);
    if (others.length >= MAX_PEERS_PER_ROOM) {
      return this.fail(ws, ErrorCode.roomFull, undefined, CloseCode.roomFull);
    }
    if (id !== current.id) this.replace(ws, id);
    saveAttachment(ws, { ...current, id, joined: true });
    send(ws, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      self: id,
      peers: others.map((p) => p.peer.id),
      resumeToken,
    });
    for (const other of others) send(other.ws, { type: 'peer-joined', peer: id });
  }

  /** Closes every other socket holding `id` with 4004, silently: the peer did not leave. */
  private replace(by: WebSocket, id: PeerId): void {
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === by) continue;
      const holder = readAttachment<Attachment>(ws);
      if (holder?.id !== id) continue;
      saveAttachment(ws, { ...holder, joined: false });
      this.gone.add(ws);
      this.buckets.delete(ws);
      safeClose(ws, CloseCode.replaced, 'replaced');
    }
  }

  private signal(ws: WebSocket, me: Attachment, message: Extract<ClientMessage, { type: 'signal' }>): void {
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

  /** The room's resume key, loaded once and cached; a failed load is retried next time. */
  private loadResumeKey(): Promise<CryptoKey> {
    this.resumeKey ??= loadResumeKey(this.ctx.storage.kv).catch((error: unknown) => {
      this.resumeKey = undefined;
      throw error;
    });
    return this.resumeKey;
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
    saveAttachment(ws, { ...me, errors });
    sendError(ws, code, message);
  }

  /** A fatal error: report it, tell the others the peer was lost, close the socket. */
  private fail(ws: WebSocket, code: ErrorCode, message: string | undefined, close: CloseCode): void {
    sendError(ws, code, message);
    this.leave(ws, PeerLeftReason.lost);
    safeClose(ws, close, code);
  }

  /** Marks the socket as gone and tells the remaining peers, exactly once. */
  private leave(ws: WebSocket, reason: PeerLeftReason): void {
    const me = readAttachment<Attachment>(ws);
    this.gone.add(ws);
    this.buckets.delete(ws);
    if (!me?.joined) return;
    saveAttachment(ws, { ...me, joined: false });
    for (const other of this.joinedPeers(ws)) send(other.ws, { type: 'peer-left', peer: me.id, reason });
  }

  // ---- helpers ---------------------------------------------------------------

  private joinedPeers(except: WebSocket): { ws: WebSocket; peer: Attachment }[] {
    const out: { ws: WebSocket; peer: Attachment }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue;
      const peer = readAttachment<Attachment>(ws);
      if (peer?.joined) out.push({ ws, peer });
    }
    return out;
  }
}

function send(ws: WebSocket, message: ServerMessage): void {
  sendText(ws, encodeMessage(message));
}

function sendError(ws: WebSocket, code: ErrorCode, message?: string): void {
  send(ws, { type: 'error', code, message: (message ?? ERROR_TEXT[code]).slice(0, 500) });
}
