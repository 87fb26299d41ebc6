/**
 * Adopts what index.html's inline script started before any module loaded: the room's signaling
 * socket (which has already said hello and kept every frame since) and the `GET /api/ice-servers`
 * request. Each is handed out once, and only for exactly the URL the app asks for;
 * `discardEarlyConnect` closes whatever was not adopted.
 */
import type { SocketLike } from '../net/signaling-client.ts';

interface EarlyConnect {
  socket?: WebSocket;
  ice?: Promise<Response>;
  /** Frames received before adoption, oldest first. */
  frames: unknown[];
  /** Set on adoption: receives every later frame. */
  deliver: ((data: unknown) => void) | null;
}

declare global {
  interface Window {
    __meshpadEarly?: EarlyConnect;
  }
}

const SOCKET_CONNECTING = 0;
const SOCKET_OPEN = 1;
const ICE_SERVERS_PATH = '/api/ice-servers';

function early(): EarlyConnect | undefined {
  return typeof window === 'undefined' ? undefined : window.__meshpadEarly;
}

/** The early socket as the signaling client sees it: hello already said, kept frames first. */
class EarlySocket implements SocketLike {
  readonly greeted = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly state: EarlyConnect,
  ) {}

  get readyState(): number {
    return this.socket.readyState;
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  addEventListener: SocketLike['addEventListener'] = (type: string, listener: (event: never) => void): void => {
    if (type !== 'message') {
      this.socket.addEventListener(type, listener as EventListener);
      return;
    }
    const receive = listener as (event: { data: unknown }) => void;
    // After the caller has finished connecting: the kept frames in order, then live ones.
    queueMicrotask(() => {
      const kept = this.state.frames;
      while (kept.length > 0) receive({ data: kept.shift() });
      this.state.deliver = (data) => receive({ data });
    });
  };
}

/** The early signaling socket, if it was opened for `url` and is still connecting or open. */
export function takeEarlySocket(url: string): SocketLike | null {
  const state = early();
  const socket = state?.socket;
  if (!state || !socket) return null;
  delete state.socket;
  if (socket.url === url && (socket.readyState === SOCKET_CONNECTING || socket.readyState === SOCKET_OPEN)) {
    return new EarlySocket(socket, state);
  }
  socket.close();
  return null;
}

/** The early ICE server response, if `url` is the ICE server list of this origin. */
export function takeEarlyIceResponse(url: string, signal?: AbortSignal): Promise<Response> | null {
  const state = early();
  const response = state?.ice;
  if (!state || !response || new URL(url, location.href).href !== new URL(ICE_SERVERS_PATH, location.href).href) return null;
  delete state.ice;
  if (!signal) return response;
  return new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    response.then(resolve, reject);
  });
}

/** Closes what was started early but not adopted (e.g. the link turned out to be invalid). */
export function discardEarlyConnect(): void {
  const state = early();
  state?.socket?.close();
  if (state) delete window.__meshpadEarly;
}
