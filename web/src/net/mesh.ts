/**
 * The peers of one room. Owns the signaling client (through its supervisor), one
 * LinkSupervisor per remote peer, and the room key: outgoing envelopes are sealed for their
 * recipient, incoming ones opened and validated before they reach a supervisor.
 *
 * For every pair the peer with the smaller id is the initiator (makes every offer, decides
 * direct or relay); the other answers. Ids survive signaling reconnects (resume tokens), so
 * a working P2P link outlives its peers' signaling sockets.
 */
import type { ChannelLabel } from './channels.ts';
import { systemClock, type Clock } from './clock.ts';
import type { OutgoingMessage } from './frame-codec.ts';
import { Emitter } from './emitter.ts';
import type { LinkMachineState, Transport } from './link-machine.ts';
import { LinkSupervisor, type LinkFactoryRequest } from './link-supervisor.ts';
import { PeerLink, type ChannelInfo, type LinkStats } from './peer-link.ts';
import { parseSignalEnvelope, type SignalEnvelope } from './peer-signal.ts';
import type { ErrorMessage, PeerId, PeerLeftReason, Sealed } from './protocol.ts';
import { RoomCryptoError, open, seal, signalAad } from './room-crypto.ts';
import type { SignalingClient } from './signaling-client.ts';
import type { SignalingMachineState } from './signaling-machine.ts';
import { SignalingSupervisor } from './signaling-supervisor.ts';

/** Where links get their ICE servers; `turn` says whether a relay is configured. */
export interface IceSource {
  current(): { iceServers: RTCIceServer[]; turn: boolean };
}

export interface MeshOptions {
  readonly roomId: string;
  /** The room key, or its derivation still under way (signaling can connect meanwhile). */
  readonly key: CryptoKey | Promise<CryptoKey>;
  /**
   * Signaling events wait for this (e.g. the ICE servers), so links are never created without
   * them; the socket itself connects at once.
   */
  readonly ready?: Promise<unknown>;
  readonly signaling: SignalingClient;
  readonly ice: IceSource;
  readonly clock?: Clock;
  /** Test mode for the relay fallback e2e test: direct attempts exchange no candidates. */
  readonly blockDirect?: boolean;
  /**
   * Extra RTCPeerConnection options for a non-browser WebRTC implementation, e.g.
   * `{ bindAddress: '127.0.0.1' }` for node-datachannel.
   */
  readonly rtcConfigExtras?: Readonly<Record<string, unknown>>;
}

export interface PeerSnapshot {
  readonly id: PeerId;
  readonly link: LinkMachineState;
  readonly present: boolean;
}

export interface MeshDiagnostic {
  readonly peer: PeerId | null;
  readonly kind: 'decrypt-failed' | 'bad-signal' | 'link-closed' | 'server-error' | 'protocol-error';
  readonly detail: string;
}

export interface MeshEvents extends Record<string, unknown> {
  change: void;
  'peer-open': PeerId;
  message: { peer: PeerId; label: ChannelLabel; data: Uint8Array };
  /** The link to `peer` sent queued frames of `label` and can take more. */
  drain: { peer: PeerId; label: ChannelLabel };
  diagnostic: MeshDiagnostic;
}

export class Mesh extends Emitter<MeshEvents> {
  private readonly supervisors = new Map<PeerId, LinkSupervisor>();
  /** Peers currently connected to signaling. */
  private readonly present = new Set<PeerId>();
  /** Peers dropped for misbehaviour: ignored for the rest of this session. */
  private readonly banned = new Set<PeerId>();
  private readonly clock: Clock;
  private readonly signalingSupervisor: SignalingSupervisor;
  private selfId: PeerId | null = null;
  private readonly unsubscribe: Array<() => void>;
  private destroyed = false;
  // Signaling events are handled one after another, after `ready`; WebCrypto may settle
  // concurrent operations out of order, and SDP must precede its candidates.
  private inbound: Promise<void>;
  private outbound: Promise<void> = Promise.resolve();

  constructor(private readonly options: MeshOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.inbound = (options.ready ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
    const s = options.signaling;
    const inOrder = <T>(handle: (payload: T) => void | Promise<void>) => (payload: T) => {
      this.inbound = this.inbound.then(() => (this.destroyed ? undefined : handle(payload)));
    };
    this.signalingSupervisor = new SignalingSupervisor(s, this.clock);
    this.unsubscribe = [
      this.signalingSupervisor.on('change', () => this.emit('change', undefined)),
      s.on('welcome', inOrder(({ self, peers }) => this.onWelcome(self, peers))),
      s.on('peer-joined', inOrder((peer: PeerId) => this.onPresent(peer))),
      s.on('peer-left', inOrder(({ peer, reason }) => this.onPeerLeft(peer, reason))),
      s.on('signal', inOrder(({ from, payload }) => this.onSignal(from, payload))),
      s.on('server-error', (error: ErrorMessage) => this.diagnose(null, 'server-error', `${error.code}: ${error.message}`)),
      s.on('protocol-error', (detail) => this.diagnose(null, 'protocol-error', detail)),
    ];
  }

  get self(): PeerId | null {
    return this.selfId;
  }

  get signalingState(): SignalingMachineState {
    return this.signalingSupervisor.state;
  }

  peers(): PeerSnapshot[] {
    return [...this.supervisors.values()].map((s) => ({ id: s.remoteId, link: s.state, present: this.present.has(s.remoteId) }));
  }

  openPeers(): PeerId[] {
    return [...this.supervisors.values()].filter((s) => s.openLink).map((s) => s.remoteId);
  }

  channelInfo(): Record<PeerId, ChannelInfo[]> {
    const info: Record<PeerId, ChannelInfo[]> = {};
    for (const s of this.supervisors.values()) {
      const link = s.currentLink;
      if (link) info[s.remoteId] = link.channelInfo();
    }
    return info;
  }

  async linkStats(peer: PeerId): Promise<LinkStats | null> {
    const link = this.supervisors.get(peer)?.openLink;
    return link ? link.stats() : null;
  }

  /** Test hook: closes the RTCPeerConnection under the link to `peer`, as a crash would. */
  closeConnection(peer: PeerId): boolean {
    const link = this.supervisors.get(peer)?.currentLink;
    if (!link) return false;
    link.connection.close();
    return true;
  }

  send(peer: PeerId, label: ChannelLabel, data: OutgoingMessage): void {
    this.supervisors.get(peer)?.openLink?.send(label, data);
  }

  broadcast(label: ChannelLabel, data: Uint8Array): void {
    for (const s of this.supervisors.values()) s.openLink?.send(label, data);
  }

  /** Bytes of `label` queued by our scheduler for `peer` (0 when no link is open). */
  queuedBytes(peer: PeerId, label: ChannelLabel): number {
    return this.supervisors.get(peer)?.openLink?.queuedBytes(label) ?? 0;
  }

  /** Typing or cursor frames went out on the link to `peer` just now. */
  interactive(peer: PeerId): boolean {
    return this.supervisors.get(peer)?.openLink?.interactive ?? false;
  }

  pendingSendBytes(): number {
    let total = 0;
    for (const s of this.supervisors.values()) total += s.openLink?.pendingSendBytes() ?? 0;
    return total;
  }

  /** Drops a peer that sent something a correct peer never sends, and ignores it from now on. */
  dropPeer(peer: PeerId, detail: string): void {
    this.banned.add(peer);
    this.diagnose(peer, 'link-closed', `dropped: ${detail}`);
    this.removeSupervisor(peer);
  }

  start(): void {
    this.signalingSupervisor.dispatch({ type: 'start' });
  }

  /** Leaves signaling and closes every link, keeping the document: "work offline". */
  pause(): void {
    for (const peer of [...this.supervisors.keys()]) this.removeSupervisor(peer);
    this.present.clear();
    this.signalingSupervisor.dispatch({ type: 'stop' });
  }

  /** Joins again after pause(); links come back as peers are met, and resync both ways. */
  resume(): void {
    this.signalingSupervisor.dispatch({ type: 'start' });
  }

  /** The page became visible again: retry waiting connections now. */
  wake(): void {
    this.signalingSupervisor.dispatch({ type: 'wake' });
    for (const s of this.supervisors.values()) s.dispatch({ type: 'wake' });
  }

  /** The network changed (online, connection type): retry now and ICE-restart live links. */
  networkChanged(): void {
    this.signalingSupervisor.dispatch({ type: 'network-changed' });
    for (const s of this.supervisors.values()) s.dispatch({ type: 'network-changed' });
  }

  /** The user pressed Retry: signaling and every failed link. */
  retry(): void {
    this.signalingSupervisor.dispatch({ type: 'retry' });
    for (const s of this.supervisors.values()) if (s.state.phase === 'failed') s.dispatch({ type: 'retry' });
  }

  /** TURN configuration arrived or changed. */
  relayAvailabilityChanged(): void {
    const available = this.options.ice.current().turn;
    for (const s of this.supervisors.values()) s.dispatch({ type: 'relay-availability', available });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const off of this.unsubscribe) off();
    for (const peer of [...this.supervisors.keys()]) this.removeSupervisor(peer);
    this.signalingSupervisor.stop();
    this.removeAllListeners();
  }

  private onWelcome(self: PeerId, peers: PeerId[]): void {
    if (this.selfId !== null && this.selfId !== self) {
      // The server could not give us our old id back: roles may have flipped, start afresh.
      for (const peer of [...this.supervisors.keys()]) this.removeSupervisor(peer);
    }
    this.selfId = self;
    const listed = new Set(peers);
    for (const peer of [...this.present]) if (!listed.has(peer)) this.onAbsent(peer);
    for (const peer of peers) this.onPresent(peer);
    this.emit('change', undefined);
  }

  private onPresent(peer: PeerId): void {
    if (this.banned.has(peer) || peer === this.selfId) return;
    this.present.add(peer);
    const existing = this.supervisors.get(peer);
    if (existing) existing.dispatch({ type: 'peer-presence', present: true });
    else this.ensureSupervisor(peer);
    this.emit('change', undefined);
  }

  private onAbsent(peer: PeerId): void {
    this.present.delete(peer);
    this.supervisors.get(peer)?.dispatch({ type: 'peer-presence', present: false });
    this.emit('change', undefined);
  }

  private onPeerLeft(peer: PeerId, reason: PeerLeftReason): void {
    if (reason === 'left') {
      this.present.delete(peer);
      this.removeSupervisor(peer);
      this.emit('change', undefined);
    } else {
      // Only its signaling socket dropped: a working P2P link to it carries on.
      this.onAbsent(peer);
    }
  }

  private ensureSupervisor(peer: PeerId): LinkSupervisor | null {
    const existing = this.supervisors.get(peer);
    if (existing) return existing;
    const self = this.selfId;
    if (!self || this.destroyed) return null;
    const supervisor = new LinkSupervisor({
      remoteId: peer,
      role: self < peer ? 'initiator' : 'responder',
      relayAvailable: this.options.ice.current().turn,
      clock: this.clock,
      createLink: (request) => this.createLink(peer, request),
      sendEnvelope: (envelope) => {
        this.outbound = this.outbound.then(() => this.sendEnvelope(peer, envelope));
      },
    });
    this.supervisors.set(peer, supervisor);
    supervisor.on('change', () => this.emit('change', undefined));
    supervisor.on('open', (link) => {
      link.on('drain', (label) => this.emit('drain', { peer, label }));
      this.emit('peer-open', peer);
    });
    supervisor.on('close', (info) => {
      if (info.reason !== 'closed') this.diagnose(peer, 'link-closed', `${info.reason}: ${info.detail}`);
    });
    supervisor.on('message', ({ label, data }) => this.emit('message', { peer, label, data }));
    supervisor.dispatch({ type: 'start' });
    if (!this.present.has(peer)) supervisor.dispatch({ type: 'peer-presence', present: false });
    return supervisor;
  }

  private removeSupervisor(peer: PeerId): void {
    const supervisor = this.supervisors.get(peer);
    if (!supervisor) return;
    this.supervisors.delete(peer);
    supervisor.stop();
    this.emit('change', undefined);
  }

  private createLink(peer: PeerId, request: LinkFactoryRequest): PeerLink {
    return new PeerLink({
      remoteId: peer,
      initiator: request.initiator,
      rtcConfig: this.rtcConfig(request.transport),
      sendSignal: request.sendSignal,
      dropDirectCandidates: this.options.blockDirect === true && request.transport === 'direct',
    });
  }

  private rtcConfig(transport: Transport): RTCConfiguration {
    const { iceServers } = this.options.ice.current();
    const config: RTCConfiguration = { ...this.options.rtcConfigExtras, iceServers };
    if (transport === 'relay') config.iceTransportPolicy = 'relay';
    return config;
  }

  private async onSignal(from: PeerId, payload: Sealed): Promise<void> {
    const self = this.selfId;
    if (!self || this.banned.has(from) || this.destroyed) return;
    let text: string;
    try {
      text = await open(await this.options.key, payload, signalAad(this.options.roomId, from, self));
    } catch (error) {
      const detail = error instanceof RoomCryptoError ? error.message : String(error);
      this.diagnose(from, 'decrypt-failed', detail);
      return;
    }
    const envelope = parseSignalEnvelope(text);
    if (!envelope) {
      this.diagnose(from, 'bad-signal', 'decrypted signal is not a valid Meshpad signal');
      return;
    }
    if (this.destroyed) return;
    // A signal can only come from a peer in the room, even if its peer-joined is still on its way.
    this.present.add(from);
    const supervisor = this.ensureSupervisor(from);
    if (!supervisor) return;
    if (envelope.kind === 'connect-request') supervisor.dispatch({ type: 'connect-request' });
    else supervisor.handleSignal(envelope);
  }

  private async sendEnvelope(to: PeerId, envelope: SignalEnvelope): Promise<void> {
    const self = this.selfId;
    if (!self) return;
    try {
      const sealed = await seal(await this.options.key, JSON.stringify(envelope), signalAad(this.options.roomId, self, to));
      this.options.signaling.sendSignal(to, sealed);
    } catch (error) {
      this.diagnose(to, 'bad-signal', `could not seal signal: ${String(error)}`);
    }
  }

  private diagnose(peer: PeerId | null, kind: MeshDiagnostic['kind'], detail: string): void {
    this.emit('diagnostic', { peer, kind, detail });
  }
}
