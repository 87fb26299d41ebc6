/**
 * The set of peer links in one room. Owns the signaling client and the room key: outgoing
 * simple-peer signals are sealed for their recipient, incoming ones opened and validated before
 * they reach a link. The newcomer initiates to every peer listed in its `welcome`; existing
 * peers answer, so exactly one side of every pair makes the offer.
 */
import type { ChannelLabel } from './channels.ts';
import { Emitter } from './emitter.ts';
import { PeerLink, type ChannelInfo, type LinkCloseInfo, type LinkState } from './peer-link.ts';
import { parsePeerSignal, type PeerSignal } from './peer-signal.ts';
import type { ErrorMessage, PeerId, Sealed } from './protocol.ts';
import { RoomCryptoError, open, seal, signalAad } from './room-crypto.ts';
import type { SignalingClient, SignalingState } from './signaling-client.ts';

export interface MeshOptions {
  readonly roomId: string;
  readonly key: CryptoKey;
  readonly signaling: SignalingClient;
  readonly rtcConfig: RTCConfiguration;
}

export interface PeerSnapshot {
  readonly id: PeerId;
  readonly state: LinkState;
}

export interface MeshDiagnostic {
  readonly peer: PeerId | null;
  readonly kind: 'decrypt-failed' | 'bad-signal' | 'link-closed' | 'server-error' | 'protocol-error';
  readonly detail: string;
}

export interface MeshEvents extends Record<string, unknown> {
  change: void;
  'peer-open': PeerId;
  'peer-close': { peer: PeerId; info: LinkCloseInfo };
  message: { peer: PeerId; label: ChannelLabel; data: Uint8Array };
  diagnostic: MeshDiagnostic;
}

export class Mesh extends Emitter<MeshEvents> {
  private readonly links = new Map<PeerId, PeerLink>();
  /** Peers in the room per signaling, whether or not a link is up. */
  private readonly members = new Set<PeerId>();
  /** Peers dropped for misbehaviour: ignored for the rest of this session. */
  private readonly banned = new Set<PeerId>();
  private selfId: PeerId | null = null;
  private readonly unsubscribe: Array<() => void>;
  private destroyed = false;
  // WebCrypto may settle concurrent operations out of order; SDP must precede its candidates.
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();

  constructor(private readonly options: MeshOptions) {
    super();
    const s = options.signaling;
    this.unsubscribe = [
      s.on('welcome', ({ self, peers }) => this.onWelcome(self, peers)),
      s.on('peer-joined', (peer) => {
        this.members.add(peer);
        this.emit('change', undefined);
      }),
      s.on('peer-left', (peer) => this.onPeerLeft(peer)),
      s.on('signal', ({ from, payload }) => {
        this.inbound = this.inbound.then(() => this.onSignal(from, payload));
      }),
      s.on('server-error', (error: ErrorMessage) => this.diagnose(null, 'server-error', `${error.code}: ${error.message}`)),
      s.on('protocol-error', (detail) => this.diagnose(null, 'protocol-error', detail)),
      s.on('state', () => this.emit('change', undefined)),
    ];
  }

  get self(): PeerId | null {
    return this.selfId;
  }

  get signalingState(): SignalingState {
    return this.options.signaling.state;
  }

  peers(): PeerSnapshot[] {
    return [...this.links.values()].map((link) => ({ id: link.remoteId, state: link.state }));
  }

  openPeers(): PeerId[] {
    return [...this.links.values()].filter((l) => l.state === 'open').map((l) => l.remoteId);
  }

  channelInfo(): Record<PeerId, ChannelInfo[]> {
    const info: Record<PeerId, ChannelInfo[]> = {};
    for (const link of this.links.values()) info[link.remoteId] = link.channelInfo();
    return info;
  }

  send(peer: PeerId, label: ChannelLabel, data: Uint8Array): void {
    const link = this.links.get(peer);
    if (link?.state === 'open') link.send(label, data);
  }

  broadcast(label: ChannelLabel, data: Uint8Array): void {
    for (const link of this.links.values()) if (link.state === 'open') link.send(label, data);
  }

  /** Drops a peer that sent something a correct peer never sends, and ignores it from now on. */
  dropPeer(peer: PeerId, detail: string): void {
    this.banned.add(peer);
    this.links.get(peer)?.close({ reason: 'protocol-violation', detail });
  }

  start(): void {
    this.options.signaling.connect();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const off of this.unsubscribe) off();
    for (const link of [...this.links.values()]) link.close();
    this.options.signaling.close();
    this.removeAllListeners();
  }

  private onWelcome(self: PeerId, peers: PeerId[]): void {
    this.selfId = self;
    for (const peer of peers) {
      this.members.add(peer);
      this.createLink(peer, true);
    }
    this.emit('change', undefined);
  }

  private onPeerLeft(peer: PeerId): void {
    this.members.delete(peer);
    this.links.get(peer)?.close({ reason: 'remote-closed', detail: 'peer left the room' });
    this.emit('change', undefined);
  }

  private async onSignal(from: PeerId, payload: Sealed): Promise<void> {
    const self = this.selfId;
    if (!self || this.banned.has(from) || this.destroyed) return;
    let text: string;
    try {
      text = await open(this.options.key, payload, signalAad(this.options.roomId, from, self));
    } catch (error) {
      const detail = error instanceof RoomCryptoError ? error.message : String(error);
      this.diagnose(from, 'decrypt-failed', detail);
      return;
    }
    const signal = parsePeerSignal(text);
    if (!signal) {
      this.diagnose(from, 'bad-signal', 'decrypted signal is not a valid SDP/ICE message');
      return;
    }
    if (this.destroyed) return;
    let link = this.links.get(from);
    if (!link && signal.type === 'offer') link = this.createLink(from, false);
    link?.signal(signal);
  }

  private createLink(peer: PeerId, initiator: boolean): PeerLink {
    this.links.get(peer)?.close({ reason: 'closed', detail: 'replaced by a new link' });
    const link = new PeerLink({
      remoteId: peer,
      initiator,
      rtcConfig: this.options.rtcConfig,
      sendSignal: (signal) => {
        this.outbound = this.outbound.then(() => this.sendSignal(peer, signal));
      },
    });
    this.links.set(peer, link);
    link.on('open', () => {
      this.emit('peer-open', peer);
      this.emit('change', undefined);
    });
    link.on('message', ({ label, data }) => this.emit('message', { peer, label, data }));
    link.on('close', (info) => {
      // A late close from a link we already replaced must not remove its successor.
      if (this.links.get(peer) === link) this.links.delete(peer);
      if (info.reason !== 'closed') this.diagnose(peer, 'link-closed', `${info.reason}: ${info.detail}`);
      this.emit('peer-close', { peer, info });
      this.emit('change', undefined);
    });
    this.emit('change', undefined);
    return link;
  }

  private async sendSignal(to: PeerId, signal: PeerSignal): Promise<void> {
    const self = this.selfId;
    if (!self) return;
    try {
      const sealed = await seal(this.options.key, JSON.stringify(signal), signalAad(this.options.roomId, self, to));
      this.options.signaling.sendSignal(to, sealed);
    } catch (error) {
      this.diagnose(to, 'bad-signal', `could not seal signal: ${String(error)}`);
    }
  }

  private diagnose(peer: PeerId | null, kind: MeshDiagnostic['kind'], detail: string): void {
    this.emit('diagnostic', { peer, kind, detail });
  }
}
