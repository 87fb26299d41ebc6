/**
 * Reactive controller that owns a RoomSession for as long as its host is connected and
 * re-renders the host whenever the session's state changes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RoomAddress } from '../net/room-url.ts';
import { RoomSession, type RoomSnapshot } from '../sync/room-session.ts';
import { installDebugHook } from './debug-hook.ts';

export class RoomController implements ReactiveController {
  session: RoomSession | null = null;
  snapshot: RoomSnapshot | null = null;
  startError: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly room: () => RoomAddress,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const session = new RoomSession({
      room: this.room(),
      origin: location.origin,
      createSocket: (url) => new WebSocket(url),
    });
    this.session = session;
    this.unsubscribe = session.subscribe(() => {
      this.snapshot = session.snapshot();
      this.host.requestUpdate();
    });
    installDebugHook(session);
    session.onDiagnostic((d) => console.warn(`[meshpad] ${d.kind}${d.peer ? ` (${d.peer})` : ''}: ${d.detail}`));
    session.start().catch((error: unknown) => {
      this.startError = error instanceof Error ? error.message : String(error);
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.session?.close();
    this.session = null;
    this.snapshot = null;
  }
}
