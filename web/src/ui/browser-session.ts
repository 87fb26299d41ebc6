/**
 * Creates the browser's RoomSession (WebSocket, fetch, IndexedDB persistence, the stored name)
 * and lets it start before the UI code has even been evaluated: main.ts starts the session of the
 * room in the URL first (adopting index.html's early socket, see early-connect.ts), and the room
 * view adopts the session once first contact has let the UI load.
 */
import type { RoomAddress } from '../net/room-url.ts';
import { browserFileStorage } from '../files/browser-storage.ts';
import { DocStore, roomDocName } from '../sync/doc-store.ts';
import { cleanName } from '../sync/presence.ts';
import { RoomSession } from '../sync/room-session.ts';
import { installDebugHook } from './debug-hook.ts';
import { takeEarlyIceResponse, takeEarlySocket } from './early-connect.ts';

/** Test-only switch for the TURN fallback e2e test (see docs/reconnection.md). */
const BLOCK_DIRECT_KEY = 'meshpad:test:block-direct';
const NAME_KEY = 'meshpad:name';
const GUEST_NAME = /^(Guest \d{4})?$/;

/** The display name kept in this browser; a generated guest name the first time. */
export function storedName(): string {
  const stored = cleanName(localStorage.getItem(NAME_KEY) ?? '');
  if (stored) return stored;
  const guest = `Guest ${Math.floor(1000 + Math.random() * 9000)}`;
  localStorage.setItem(NAME_KEY, guest);
  return guest;
}

/** Whether this browser's name was chosen by its user (not the generated guest name): else we ask. */
export function nameChosen(): boolean {
  return !GUEST_NAME.test(localStorage.getItem(NAME_KEY) ?? '');
}

export function storeName(name: string): void {
  localStorage.setItem(NAME_KEY, name);
}

export interface StartedSession {
  readonly session: RoomSession;
  /** Settles when the session has started; rejects if the room secret is unusable. */
  readonly started: Promise<void>;
}

let pending: { roomId: string; started: StartedSession } | null = null;

export function startBrowserSession(room: RoomAddress): StartedSession {
  const session = new RoomSession({
    identity: { name: storedName() },
    room,
    origin: location.origin,
    createSocket: (url) => takeEarlySocket(url) ?? new WebSocket(url),
    fetch: (url, init) => takeEarlyIceResponse(url, init?.signal) ?? fetch(url, init),
    aiFetch: (url, init) => fetch(url, init),
    blockDirect: localStorage.getItem(BLOCK_DIRECT_KEY) === '1',
    persistence: (doc, roomId) => new DocStore(doc, roomDocName(roomId)),
    fileStorage: browserFileStorage,
  });
  installDebugHook(session);
  const started = session.start();
  // Handled by whoever adopts it; never an unhandled rejection meanwhile.
  started.catch(() => undefined);
  return { session, started };
}

/** Starts the session of `room` now, to be adopted by the room view once it has loaded. */
export function startEarly(room: RoomAddress): StartedSession {
  const started = startBrowserSession(room);
  pending = { roomId: room.roomId, started };
  return started;
}

/** The session started early for this room, if any (each is adopted once). */
export function adoptEarly(room: RoomAddress): StartedSession | null {
  if (!pending || pending.roomId !== room.roomId) return null;
  const started = pending.started;
  pending = null;
  return started;
}
