/**
 * One WebRTC connection to one remote peer, carrying the five channels of channels.ts.
 *
 * simple-peer drives the offer/answer/ICE exchange and owns the in-band `code-sync` channel;
 * the other four are pre-negotiated (fixed stream ids) on the same RTCPeerConnection. Every send
 * goes through this link's SendScheduler, every received frame through a FrameAssembler; a peer
 * that sends frames a correct peer never would is dropped.
 */
import SimplePeer from '@thaunknown/simple-peer/lite.js';
import { CHANNELS, channelInit, channelSpec, type ChannelLabel } from './channels.ts';
import { Emitter } from './emitter.ts';
import { FrameAssembler, FrameError, encodeFrames, type OutgoingMessage } from './frame-codec.ts';
import { stripCandidates, type PeerSignal } from './peer-signal.ts';
import type { PeerId } from './protocol.ts';
import { BUFFERED_LOW_THRESHOLD_BYTES, SendScheduler, type ChannelPort } from './send-scheduler.ts';

export type LinkState = 'connecting' | 'open' | 'closed';

/** What a peer may send before our side of the link has opened (a sync step, presence, a cursor). */
const MAX_EARLY_MESSAGES = 64;
const MAX_EARLY_BYTES = 64 * 1024 * 1024;

export interface LinkOptions {
  readonly remoteId: PeerId;
  readonly initiator: boolean;
  readonly rtcConfig: RTCConfiguration;
  readonly sendSignal: (signal: PeerSignal) => void;
  /**
   * Test mode: exchange no ICE candidates at all, so this (direct) attempt cannot connect and
   * the reconnector has to fall back to a relay-only link. Used by the e2e test of the relay
   * fallback; never set in normal use. (Direct attempts also know the TURN servers, so dropping
   * only host candidates would still let them connect through the relay.)
   */
  readonly dropDirectCandidates?: boolean;
}

export interface LinkStats {
  /** Whether the selected candidate pair goes through a TURN relay. */
  transport: 'direct' | 'relay' | null;
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  rttMs: number | null;
}

export interface ChannelInfo {
  label: string;
  ordered: boolean;
  maxRetransmits: number | null;
  priority: string | undefined;
  readyState: string;
  id: number | null;
}

export interface LinkCloseInfo {
  reason: 'closed' | 'remote-closed' | 'protocol-violation' | 'error';
  detail: string;
}

export interface LinkEvents extends Record<string, unknown> {
  open: void;
  /** ICE went disconnected/failed while open. */
  degraded: string;
  /** ICE is connected again after `degraded`. */
  recovered: void;
  message: { label: ChannelLabel; data: Uint8Array };
  /** The scheduler sent frames of `label` and its queue is short again: producers may refill. */
  drain: ChannelLabel;
  close: LinkCloseInfo;
}

export class PeerLink extends Emitter<LinkEvents> {
  readonly remoteId: PeerId;
  private readonly peer: SimplePeer;
  private readonly negotiated = new Map<ChannelLabel, RTCDataChannel>();
  private readonly assemblers = new Map<ChannelLabel, FrameAssembler>();
  private readonly scheduler: SendScheduler;
  private current: LinkState = 'connecting';
  private codeSyncWired = false;
  private degraded = false;
  private readonly dropDirect: boolean;
  /**
   * Messages that arrive before this side counts the link open (the remote side's channels
   * can open first): held and delivered right after `open`, so the first sync step of a fast
   * peer is answered instead of dropped.
   */
  private early: Array<{ label: ChannelLabel; data: Uint8Array }> = [];
  private earlyBytes = 0;

  constructor(options: LinkOptions) {
    super();
    this.remoteId = options.remoteId;
    this.dropDirect = options.dropDirectCandidates ?? false;
    const codeSync = channelSpec('code-sync');
    this.peer = new SimplePeer({
      initiator: options.initiator,
      channelName: codeSync.label,
      channelConfig: channelInit(codeSync),
      config: options.rtcConfig,
      trickle: true,
      objectMode: true,
    });
    const ports = new Map<ChannelLabel, ChannelPort>();
    ports.set('code-sync', this.codeSyncPort());
    for (const spec of CHANNELS) {
      this.assemblers.set(spec.label, new FrameAssembler(spec.maxMessageBytes, spec.ordered && spec.maxRetransmits === null));
      if (spec.negotiatedId === null) continue;
      const channel = this.peer._pc.createDataChannel(spec.label, channelInit(spec));
      this.wireChannel(spec.label, channel);
      this.negotiated.set(spec.label, channel);
      ports.set(spec.label, channel as ChannelPort);
    }
    this.scheduler = new SendScheduler(ports, CHANNELS, { onDrain: (label) => this.emit('drain', label) });

    this.peer.on('signal', (signal) => {
      if (this.current === 'closed') return;
      if (this.dropDirect) {
        if (signal.type === 'candidate') return;
        if (signal.type === 'offer' || signal.type === 'answer') signal = { ...signal, sdp: stripCandidates(signal.sdp) };
      }
      options.sendSignal(signal);
    });
    // The link is open when its five channels are, not when simple-peer says `connect`: that
    // waits for a getStats() round (and retries every 100 ms) we do not need.
    this.peer.on('connect', () => this.onCodeSyncOpen());
    this.peer._channel?.addEventListener('open', () => this.onCodeSyncOpen());
    this.peer._pc.addEventListener('datachannel', (event: RTCDataChannelEvent) => {
      if (event.channel.label !== 'code-sync') return;
      if (event.channel.readyState === 'open') queueMicrotask(() => this.onCodeSyncOpen());
      else event.channel.addEventListener('open', () => this.onCodeSyncOpen());
    });
    this.peer.on('data', (data) => this.onFrame('code-sync', data));
    this.peer.on('error', (error) => this.close({ reason: 'error', detail: `${error.code ?? 'error'}: ${error.message}` }));
    this.peer.on('close', () => this.close({ reason: 'remote-closed', detail: 'connection closed' }));
    const pc = this.peer._pc;
    pc.addEventListener('iceconnectionstatechange', () => this.onIceState(pc.iceConnectionState));
  }

  get state(): LinkState {
    return this.current;
  }

  /** The underlying connection, for diagnostics (stats, selected candidate pair). */
  get connection(): RTCPeerConnection {
    return this.peer._pc;
  }

  signal(signal: PeerSignal): void {
    if (this.current === 'closed') return;
    if (this.dropDirect) {
      if (signal.type === 'candidate') return;
      if (signal.type === 'offer' || signal.type === 'answer') signal = { ...signal, sdp: stripCandidates(signal.sdp) };
    }
    try {
      this.peer.signal(signal);
    } catch (error) {
      this.close({ reason: 'error', detail: `bad signal: ${String(error)}` });
    }
  }

  /** Queues one application message; it is framed and sent in priority order. */
  send(label: ChannelLabel, message: OutgoingMessage): void {
    if (this.current === 'closed') return;
    try {
      this.scheduler.enqueue(label, encodeFrames(message));
    } catch (error) {
      this.close({ reason: 'error', detail: `send on ${label} failed: ${String(error)}` });
    }
  }

  /** Initiator only: new ICE credentials and a fresh offer over the same connection. */
  restartIce(): void {
    if (this.current === 'closed') return;
    try {
      this.peer._pc.restartIce?.();
      this.peer.negotiate();
    } catch (error) {
      this.close({ reason: 'error', detail: `ICE restart failed: ${String(error)}` });
    }
  }

  /** Which candidate pair carries the link, and its round-trip time. */
  async stats(): Promise<LinkStats> {
    const empty: LinkStats = { transport: null, localCandidateType: null, remoteCandidateType: null, rttMs: null };
    if (this.current === 'closed') return empty;
    const report = await this.peer._pc.getStats();
    let pairId: string | null = null;
    report.forEach((entry: { type?: string; selectedCandidatePairId?: string }) => {
      if (entry.type === 'transport' && entry.selectedCandidatePairId) pairId = entry.selectedCandidatePairId;
    });
    type Pair = { type?: string; state?: string; nominated?: boolean; localCandidateId?: string; remoteCandidateId?: string; currentRoundTripTime?: number };
    let pair: Pair | undefined = pairId ? (report.get(pairId) as Pair | undefined) : undefined;
    if (!pair) {
      report.forEach((entry: Pair) => {
        if (!pair && entry.type === 'candidate-pair' && entry.state === 'succeeded' && entry.nominated) pair = entry;
      });
    }
    if (!pair) return empty;
    const selected: Pair = pair;
    const typeOf = (id: string | undefined): string | null =>
      (id ? (report.get(id) as { candidateType?: string } | undefined)?.candidateType : undefined) ?? null;
    const local = typeOf(selected.localCandidateId);
    const remote = typeOf(selected.remoteCandidateId);
    return {
      transport: local === 'relay' || remote === 'relay' ? 'relay' : local ? 'direct' : null,
      localCandidateType: local,
      remoteCandidateType: remote,
      rttMs: typeof selected.currentRoundTripTime === 'number' ? Math.round(selected.currentRoundTripTime * 1000) : null,
    };
  }

  queuedBytes(label: ChannelLabel): number {
    return this.scheduler.queuedBytes(label);
  }

  /** Typing or cursor frames went out on this link just now (see SendScheduler.interactive). */
  get interactive(): boolean {
    return this.scheduler.interactive;
  }

  /** Bytes the files channel may keep buffered now (see files-budget.ts). */
  get filesBudgetBytes(): number {
    return this.scheduler.filesBudgetBytes;
  }

  /** Bytes still queued by us or buffered by the browser, over all channels. */
  pendingSendBytes(): number {
    let total = 0;
    for (const spec of CHANNELS) total += this.scheduler.queuedBytes(spec.label);
    if (this.peer._channel) total += this.peer._channel.bufferedAmount;
    for (const channel of this.negotiated.values()) total += channel.bufferedAmount;
    return total;
  }

  channelInfo(): ChannelInfo[] {
    const channels: RTCDataChannel[] = [];
    if (this.peer._channel) channels.push(this.peer._channel);
    channels.push(...this.negotiated.values());
    return channels.map((c) => ({
      label: c.label,
      ordered: c.ordered,
      maxRetransmits: c.maxRetransmits,
      priority: (c as RTCDataChannel & { priority?: string }).priority,
      readyState: c.readyState,
      id: c.id,
    }));
  }

  close(info: LinkCloseInfo = { reason: 'closed', detail: 'closed locally' }): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    for (const channel of this.negotiated.values()) channel.close();
    this.peer.destroy();
    this.emit('close', info);
    this.removeAllListeners();
  }

  private codeSyncPort(): ChannelPort {
    const peer = this.peer;
    return {
      get readyState() {
        return peer._channel?.readyState ?? 'connecting';
      },
      get bufferedAmount() {
        return peer._channel?.bufferedAmount ?? 0;
      },
      send(frame: Uint8Array) {
        peer._channel!.send(frame as Uint8Array<ArrayBuffer>);
      },
    };
  }

  private wireChannel(label: ChannelLabel, channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = BUFFERED_LOW_THRESHOLD_BYTES;
    channel.addEventListener('bufferedamountlow', () => this.scheduler.pump());
    if (label === 'code-sync') return; // simple-peer delivers its own channel's messages and lifecycle
    channel.addEventListener('open', () => this.maybeOpen());
    channel.addEventListener('message', (event: MessageEvent<unknown>) => this.onFrame(label, event.data));
    channel.addEventListener('close', () => this.close({ reason: 'remote-closed', detail: `${label} channel closed` }));
  }

  private onCodeSyncOpen(): void {
    const channel = this.peer._channel;
    if (channel && !this.codeSyncWired) {
      this.codeSyncWired = true;
      this.wireChannel('code-sync', channel);
    }
    this.maybeOpen();
  }

  private maybeOpen(): void {
    if (this.current !== 'connecting' || this.peer._channel?.readyState !== 'open') return;
    for (const channel of this.negotiated.values()) if (channel.readyState !== 'open') return;
    this.current = 'open';
    this.scheduler.pump();
    this.emit('open', undefined);
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const message of early) {
      if (this.current !== 'open') return;
      this.emit('message', message);
    }
  }

  private onIceState(state: RTCIceConnectionState): void {
    if (this.current !== 'open') return;
    if (state === 'disconnected' || state === 'failed') {
      if (this.degraded) return;
      this.degraded = true;
      this.emit('degraded', state);
    } else if ((state === 'connected' || state === 'completed') && this.degraded) {
      this.degraded = false;
      this.emit('recovered', undefined);
    }
  }

  private onFrame(label: ChannelLabel, data: unknown): void {
    if (this.current === 'closed') return;
    const frame = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null;
    if (!frame) {
      this.close({ reason: 'protocol-violation', detail: `non-binary message on ${label}` });
      return;
    }
    let message: Uint8Array | null;
    try {
      message = this.assemblers.get(label)!.push(frame);
    } catch (error) {
      const detail = error instanceof FrameError ? error.message : String(error);
      this.close({ reason: 'protocol-violation', detail: `${label}: ${detail}` });
      return;
    }
    if (!message) return;
    if (this.current === 'open') {
      this.emit('message', { label, data: message });
      return;
    }
    this.earlyBytes += message.length;
    if (this.early.length >= MAX_EARLY_MESSAGES || this.earlyBytes > MAX_EARLY_BYTES) {
      this.close({ reason: 'protocol-violation', detail: 'too much data before the link opened' });
      return;
    }
    this.early.push({ label, data: message });
  }
}
