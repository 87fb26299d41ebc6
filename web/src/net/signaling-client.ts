/**
 * WebSocket client for one room's signaling. Validates every frame from the server with the
 * shared protocol module; a frame that fails validation is reported and ignored.
 */
import { Emitter } from './emitter.ts';
import {
  CloseCode,
  PROTOCOL_VERSION,
  encodeMessage,
  parseServerMessage,
  type ClientMessage,
  type ErrorMessage,
  type PeerId,
  type PeerLeftReason,
  type Sealed,
} from './protocol.ts';

/** The slice of the WebSocket API we use, so Node (package `ws`) and browsers both fit. */
export interface SocketLike {
  readonly readyState: number;
  /** True when whoever opened the socket has already said hello (index.html's early join). */
  readonly greeted?: boolean;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}
export type SocketFactory = (url: string) => SocketLike;

export type SignalingState = 'idle' | 'connecting' | 'open' | 'closed';

export interface SignalingEvents extends Record<string, unknown> {
  state: SignalingState;
  welcome: { self: PeerId; peers: PeerId[] };
  'peer-joined': PeerId;
  'peer-left': { peer: PeerId; reason: PeerLeftReason };
  signal: { from: PeerId; payload: Sealed };
  'server-error': ErrorMessage;
  /** Something the server sent that we could not use; the frame was ignored. */
  'protocol-error': string;
  closed: { code: number; reason: string };
}

const SOCKET_OPEN = 1;

export function signalingUrl(origin: string, roomId: string): string {
  const url = new URL(`/api/rooms/${roomId}/ws`, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class SignalingClient extends Emitter<SignalingEvents> {
  private socket: SocketLike | null = null;
  private current: SignalingState = 'idle';
  /** From the last welcome: lets the next socket keep our peer id. */
  private resume: { peer: PeerId; token: string } | null = null;

  constructor(
    private readonly url: string,
    private readonly createSocket: SocketFactory,
  ) {
    super();
  }

  get state(): SignalingState {
    return this.current;
  }

  connect(): void {
    if (this.socket) return;
    const socket = this.createSocket(this.url);
    this.socket = socket;
    this.setState('connecting');
    // Late events from a socket we already replaced or closed are ignored by identity.
    let saidHello = false;
    const opened = () => {
      if (this.socket !== socket || saidHello) return;
      saidHello = true;
      this.setState('open');
      globalThis.performance?.mark?.('meshpad:socket-open');
      if (socket.greeted) return;
      this.send(this.resume ? { type: 'hello', v: PROTOCOL_VERSION, resume: this.resume } : { type: 'hello', v: PROTOCOL_VERSION });
    };
    socket.addEventListener('open', opened);
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.onFrame(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState('closed');
      this.emit('closed', { code: event.code, reason: event.reason });
    });
    socket.addEventListener('error', () => {
      // A close event always follows; nothing to do here.
    });
    // A socket opened before the app loaded (index.html) may already be open.
    if (socket.readyState === SOCKET_OPEN) opened();
  }

  sendSignal(to: PeerId, payload: Sealed): boolean {
    return this.send({ type: 'signal', to, payload });
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(CloseCode.normal, 'leaving');
    this.setState('closed');
  }

  private send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== SOCKET_OPEN) return false;
    this.socket.send(encodeMessage(message));
    return true;
  }

  private onFrame(data: unknown): void {
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      this.emit('protocol-error', parsed.error.message);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'welcome':
        if (message.v !== PROTOCOL_VERSION) {
          this.emit('protocol-error', `server speaks protocol ${message.v}, we speak ${PROTOCOL_VERSION}`);
          return;
        }
        this.resume = { peer: message.self, token: message.resumeToken };
        globalThis.performance?.mark?.('meshpad:welcome');
        this.emit('welcome', { self: message.self, peers: message.peers });
        return;
      case 'peer-joined':
        this.emit('peer-joined', message.peer);
        return;
      case 'peer-left':
        this.emit('peer-left', { peer: message.peer, reason: message.reason });
        return;
      case 'signal':
        this.emit('signal', { from: message.from, payload: message.payload });
        return;
      case 'error':
        this.emit('server-error', message);
        return;
    }
  }

  private setState(state: SignalingState): void {
    if (this.current === state) return;
    this.current = state;
    this.emit('state', state);
  }
}
