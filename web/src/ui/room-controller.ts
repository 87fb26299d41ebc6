/**
 * Reactive controller that owns a RoomSession for as long as its host is connected, feeds it
 * the browser's network signals, and re-renders the host whenever the session's state changes
 * (and once a second while a retry countdown is showing).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RoomAddress } from '../net/room-url.ts';
import { rememberRoom } from '../sync/recent-rooms.ts';
import type { RoomSession } from '../sync/room-session.ts';
import type { RoomSnapshot } from '../sync/room-status.ts';
import { cleanName } from '../sync/presence.ts';
import { watchActivity } from './activity-watch.ts';
import { adoptEarly, nameChosen, startBrowserSession, storeName, storedName } from './browser-session.ts';
import { watchNetwork } from './network-watch.ts';

const REFRESH_INTERVAL_MS = 16;

export class RoomController implements ReactiveController {
  session: RoomSession | null = null;
  snapshot: RoomSnapshot | null = null;
  startError: string | null = null;
  name = '';
  /** False until the user picks a name: the room view asks for one. */
  nameChosen = true;
  private cleanups: Array<() => void> = [];
  private ticker: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly room: () => RoomAddress,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.name = storedName();
    this.nameChosen = nameChosen();
    const { session, started } = adoptEarly(this.room()) ?? startBrowserSession(this.room());
    this.session = session;
    this.snapshot = session.snapshot();
    rememberRoom(localStorage, this.room(), Date.now());
    requestPersistentStorage();
    // The last keystrokes must reach IndexedDB before a reload or close tears the page down.
    const flush = () => session.flush();
    const flushWhenHidden = () => {
      if (document.visibilityState === 'hidden') session.flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', flushWhenHidden);
    this.cleanups = [
      session.subscribe(() => this.scheduleRefresh()),
      session.onDiagnostic((d) => console.warn(`[meshpad] ${d.kind}${d.peer ? ` (${d.peer})` : ''}: ${d.detail}`)),
      watchNetwork({ wake: () => session.wake(), networkChanged: () => session.networkChanged() }),
      watchActivity((status) => session.updatePresence({ status })),
      () => window.removeEventListener('pagehide', flush),
      () => document.removeEventListener('visibilitychange', flushWhenHidden),
    ];
    started.catch((error: unknown) => {
      this.startError = error instanceof Error ? error.message : String(error);
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.cleanups = [];
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.session?.close();
    this.session = null;
    this.snapshot = null;
  }

  /** Renames us in this browser and for everyone in the room; empty names are refused. */
  rename(raw: string): void {
    const name = cleanName(raw);
    if (!name) {
      this.host.requestUpdate();
      return;
    }
    this.name = name;
    storeName(name);
    this.nameChosen = true;
    this.session?.updatePresence({ name });
    this.host.requestUpdate();
  }

  retry(): void {
    this.session?.retry();
  }

  /**
   * At most one re-render per frame: a keystroke alone changes the session's state twice (saving,
   * saved), and remote activity more often; the status line needs no more than the screen shows.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (!this.session) return;
      this.snapshot = this.session.snapshot();
      this.updateTicker();
      this.host.requestUpdate();
    }, REFRESH_INTERVAL_MS);
  }

  private updateTicker(): void {
    const snapshot = this.snapshot;
    const counting = !!snapshot && (snapshot.signaling.retryAt !== null || snapshot.peers.some((p) => p.link.retryAt !== null));
    if (counting && !this.ticker) this.ticker = setInterval(() => this.host.requestUpdate(), 1000);
    if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }
}

let persistRequested = false;

/** Asks once per page load that this origin's storage not be evicted under pressure. */
function requestPersistentStorage(): void {
  if (persistRequested || !navigator.storage?.persist) return;
  persistRequested = true;
  navigator.storage.persist().catch(() => undefined);
}
