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
import { FrameAssembler, FrameError, encodeFrames } from './frame-codec.ts';
import type { PeerSignal } from './peer-signal.ts';
import type { PeerId } from './protocol.ts';
import { BUFFERED_LOW_THRESHOLD_BYTES, SendScheduler, type ChannelPort } from './send-scheduler.ts';

/** Give up on a link that has not opened by then; the mesh decides what to do next. */
export const LINK_OPEN_TIMEOUT_MS = 20_000;

export type LinkState = 'connecting' | 'open' | 'closed';

export interface LinkOptions {
  readonly remoteId: PeerId;
  readonly initiator: boolean;
  readonly rtcConfig: RTCConfiguration;
  readonly sendSignal: (signal: PeerSignal) => void;
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
  reason: 'closed' | 'remote-closed' | 'timeout' | 'protocol-violation' | 'error';
  detail: string;
}

export interface LinkEvents extends Record<string, unknown> {
  open: void;
  message: { label: ChannelLabel; data: Uint8Array };
  close: LinkCloseInfo;
}

export class PeerLink extends Emitter<LinkEvents> {
  readonly remoteId: PeerId;
  private readonly peer: SimplePeer;
  private readonly negotiated = new Map<ChannelLabel, RTCDataChannel>();
  private readonly assemblers = new Map<ChannelLabel, FrameAssembler>();
  private readonly scheduler: SendScheduler;
  private readonly openTimer: ReturnType<typeof setTimeout>;
  private current: LinkState = 'connecting';
  private codeSyncWired = false;
  readonly createdAt = Date.now();
  openedAt: number | null = null;

  constructor(options: LinkOptions) {
    super();
    this.remoteId = options.remoteId;
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
    this.scheduler = new SendScheduler(ports);

    this.peer.on('signal', (signal) => {
      if (this.current !== 'closed') options.sendSignal(signal);
    });
    this.peer.on('connect', () => this.onCodeSyncOpen());
    this.peer.on('data', (data) => this.onFrame('code-sync', data));
    this.peer.on('error', (error) => this.close({ reason: 'error', detail: `${error.code ?? 'error'}: ${error.message}` }));
    this.peer.on('close', () => this.close({ reason: 'remote-closed', detail: 'connection closed' }));
    this.openTimer = setTimeout(() => {
      if (this.current === 'connecting') this.close({ reason: 'timeout', detail: `not open after ${LINK_OPEN_TIMEOUT_MS} ms` });
    }, LINK_OPEN_TIMEOUT_MS);
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
    try {
      this.peer.signal(signal);
    } catch (error) {
      this.close({ reason: 'error', detail: `bad signal: ${String(error)}` });
    }
  }

  /** Queues one application message; it is framed and sent in priority order. */
  send(label: ChannelLabel, message: Uint8Array): void {
    if (this.current === 'closed') return;
    try {
      this.scheduler.enqueue(label, encodeFrames(message));
    } catch (error) {
      this.close({ reason: 'error', detail: `send on ${label} failed: ${String(error)}` });
    }
  }

  queuedBytes(label: ChannelLabel): number {
    return this.scheduler.queuedBytes(label);
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
    clearTimeout(this.openTimer);
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
    if (this.current !== 'connecting' || !this.peer.connected) return;
    for (const channel of this.negotiated.values()) if (channel.readyState !== 'open') return;
    this.current = 'open';
    this.openedAt = Date.now();
    clearTimeout(this.openTimer);
    this.scheduler.pump();
    this.emit('open', undefined);
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
    if (message) this.emit('message', { label, data: message });
  }
}
