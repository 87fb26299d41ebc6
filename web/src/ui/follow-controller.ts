/**
 * Follow and the driver controls of a room view. Following a peer (or the driver) scrolls our
 * editor with their cursor until we type or click in the editor; the driver can hand the role to
 * a peer, and anyone can take over when the driver has left or is away. Listens for the
 * FollowEvents that the peer list and driver bar dispatch inside the host.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerId } from '../net/protocol.ts';
import type { Driver } from '../sync/driver-role.ts';
import { cursorHeadIndex, driverControls, followedPeer, type DriverControls, type FollowTarget } from '../sync/follow.ts';
import type { RoomSession } from '../sync/room-session.ts';
import { FollowEvent } from './follow-events.ts';

export interface FollowView extends DriverControls {
  readonly driver: Driver | null;
  /** The peer our view tracks now (null when not following, or when the driver is us). */
  readonly following: PeerId | null;
  readonly followingDriver: boolean;
}

export interface ScrollableEditor {
  scrollToIndex(index: number, center: boolean): void;
}

export class FollowController implements ReactiveController {
  private target: FollowTarget | null = null;
  private cleanups: Array<() => void> = [];

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly session: () => RoomSession | null,
    private readonly editor: () => (ScrollableEditor & HTMLElement) | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const session = this.session();
    if (!session) return;
    const onAwareness = (change: { added: number[]; updated: number[] }, origin: unknown) => {
      if (origin !== 'remote' || !this.target) return;
      const client = this.followedClient();
      if (client !== null && (change.updated.includes(client) || change.added.includes(client))) this.scroll(false);
    };
    session.awareness.on('change', onAwareness);
    const listen = (type: string, handler: (event: Event) => void) => {
      this.host.addEventListener(type, handler);
      this.cleanups.push(() => this.host.removeEventListener(type, handler));
    };
    listen(FollowEvent.follow, (e) => {
      const peer = (e as CustomEvent<{ peer?: PeerId }>).detail.peer;
      if (peer) this.follow({ kind: 'peer', peer });
    });
    listen(FollowEvent.followDriver, () => this.follow({ kind: 'driver' }));
    listen(FollowEvent.unfollow, () => this.unfollow());
    listen(FollowEvent.makeDriver, (e) => {
      const peer = (e as CustomEvent<{ peer?: PeerId }>).detail.peer;
      if (peer) this.makeDriver(peer);
    });
    listen(FollowEvent.takeOver, () => this.takeOver());
    // Typing or clicking in our own editor ends following.
    const stopOnOwnInput = (event: Event) => {
      const editor = this.editor();
      if (this.target && editor && event.composedPath().includes(editor)) this.unfollow();
    };
    listen('keydown', stopOnOwnInput);
    listen('pointerdown', stopOnOwnInput);
    this.cleanups.push(
      () => session.awareness.off('change', onAwareness),
      session.driver.observe(() => {
        if (this.target?.kind === 'driver') this.scroll(true);
        this.host.requestUpdate();
      }),
    );
  }

  hostDisconnected(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.cleanups = [];
    this.target = null;
  }

  view(): FollowView {
    const session = this.session();
    const self = session?.network?.self ?? null;
    const driver = session?.driver.current() ?? null;
    const snapshot = session?.snapshot();
    const presenceOf = (peer: PeerId) => snapshot?.peers.find((p) => p.id === peer)?.presence ?? null;
    // The driver's current name (they may have renamed since taking the role).
    const driverName = driver ? (driver.peer === self ? snapshot?.self?.name : presenceOf(driver.peer)?.name) : undefined;
    return {
      driver: driver && driverName ? { ...driver, name: driverName } : driver,
      ...driverControls(driver, self, presenceOf),
      following: followedPeer(this.target, driver, self),
      followingDriver: this.target?.kind === 'driver',
    };
  }

  private follow(target: FollowTarget): void {
    this.target = target;
    this.scroll(true);
    this.host.requestUpdate();
  }

  private unfollow(): void {
    this.target = null;
    this.host.requestUpdate();
  }

  private makeDriver(peer: PeerId): void {
    const session = this.session();
    if (!session || !this.view().isDriver) return;
    const name = session.snapshot().peers.find((p) => p.id === peer)?.presence?.name ?? peer.slice(0, 8);
    session.driver.assign(peer, name, Date.now());
  }

  private takeOver(): void {
    const session = this.session();
    const self = session?.network?.self;
    if (!session || !self || !this.view().canTakeOver) return;
    session.driver.assign(self, session.snapshot().self?.name ?? 'Guest', Date.now());
  }

  private followedClient(): number | null {
    const session = this.session();
    if (!session) return null;
    const peer = followedPeer(this.target, session.driver.current(), session.network?.self ?? null);
    if (!peer) return null;
    return session.snapshot().peers.find((p) => p.id === peer)?.presence?.client ?? null;
  }

  private scroll(center: boolean): void {
    const session = this.session();
    const client = this.followedClient();
    if (!session || client === null) return;
    const index = cursorHeadIndex(session.doc, session.awareness.getStates().get(client));
    if (index !== null) this.editor()?.scrollToIndex(index, center);
  }
}
