/**
 * A Meshpad peer without a browser: the unchanged net core and Yjs sync, with `ws` for the
 * signaling socket and node-datachannel (through webrtc-polyfill) for WebRTC. Used by the
 * `npm run peer` CLI, load tests and benchmarks.
 */
import WebSocket from 'ws';
import type { AiSettings } from '../ai/ai-room.ts';
import type { StreamResponse } from '../ai/openai-stream.ts';
import { parseRoomLocation, type RoomAddress } from '../net/room-url.ts';
import type { SocketLike } from '../net/signaling-client.ts';
import { RoomSession } from '../sync/room-session.ts';

export interface HeadlessPeerOptions {
  /** A full room link: `https://host/r/<room-id>#<secret>`. */
  readonly roomUrl: string;
  /**
   * Local address to gather ICE candidates on. node-datachannel offers no loopback candidate
   * unless bound to it, so tests on one machine pass `127.0.0.1`.
   */
  readonly bindAddress?: string;
  /** How this peer appears in the others' peer lists. */
  readonly name?: string;
  /** Be the room's AI peer: answer Ask AI from any peer with this endpoint and model. */
  readonly ai?: AiSettings;
  readonly aiLog?: (line: string) => void;
}

export class RoomUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoomUrlError';
  }
}

export function parseRoomUrl(roomUrl: string): { origin: string; room: RoomAddress } {
  let url: URL;
  try {
    url = new URL(roomUrl);
  } catch {
    throw new RoomUrlError(`not a URL: ${roomUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RoomUrlError(`not an http(s) room link: ${roomUrl}`);
  const parsed = parseRoomLocation(url.pathname, url.hash);
  if (!parsed.ok) throw new RoomUrlError(`not a Meshpad room link (${parsed.reason}): ${roomUrl}`);
  return { origin: url.origin, room: parsed.room };
}

export function createHeadlessSession(options: HeadlessPeerOptions): RoomSession {
  const { origin, room } = parseRoomUrl(options.roomUrl);
  return new RoomSession({
    room,
    origin,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    fetch: (url, init) => fetch(url, init),
    aiFetch: (url, init) => fetch(url, init) as Promise<StreamResponse>,
    ...(options.name ? { identity: { name: options.name } } : {}),
    ...(options.ai ? { aiService: options.ai } : {}),
    ...(options.aiLog ? { aiLog: options.aiLog } : {}),
    ...(options.bindAddress ? { rtcConfigExtras: { bindAddress: options.bindAddress } } : {}),
  });
}
