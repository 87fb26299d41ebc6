/**
 * Runs the link state machine for one remote peer: turns its effects into PeerLinks, timers and
 * signals, and PeerLink events back into machine events. This and signaling-supervisor.ts are
 * the only places where reconnection decisions meet real objects.
 */
import { randomBase64Url } from './base64url.ts';
import type { ChannelLabel } from './channels.ts';
import type { Clock } from './clock.ts';
import { Emitter } from './emitter.ts';
import {
  initialLinkState,
  linkReducer,
  type LinkEffect,
  type LinkEvent,
  type LinkMachineState,
  type LinkRole,
  type LinkTimer,
  type Transport,
} from './link-machine.ts';
import type { LinkCloseInfo, PeerLink } from './peer-link.ts';

/** What the supervisor and the mesh use of a PeerLink (tests pass a fake). */
export type LinkHandle = Pick<
  PeerLink,
  'on' | 'signal' | 'restartIce' | 'close' | 'state' | 'send' | 'stats' | 'channelInfo' | 'connection' | 'pendingSendBytes' | 'queuedBytes' | 'interactive'
>;
import type { PeerSignal, SignalEnvelope } from './peer-signal.ts';
import type { PeerId } from './protocol.ts';
import { TimerSet } from './timer-set.ts';

export interface LinkFactoryRequest {
  readonly transport: Transport;
  readonly initiator: boolean;
  readonly sendSignal: (signal: PeerSignal) => void;
}

export interface LinkSupervisorOptions {
  readonly remoteId: PeerId;
  readonly role: LinkRole;
  readonly relayAvailable: boolean;
  readonly clock: Clock;
  readonly createLink: (request: LinkFactoryRequest) => LinkHandle;
  /** Sends a sealed envelope to the remote peer over signaling. */
  readonly sendEnvelope: (envelope: SignalEnvelope) => void;
}

export interface LinkSupervisorEvents extends Record<string, unknown> {
  change: LinkMachineState;
  open: LinkHandle;
  close: LinkCloseInfo;
  message: { label: ChannelLabel; data: Uint8Array };
}

export class LinkSupervisor extends Emitter<LinkSupervisorEvents> {
  readonly remoteId: PeerId;
  private machine: LinkMachineState;
  private readonly timers: TimerSet<LinkTimer>;
  private link: LinkHandle | null = null;
  private linkGeneration: number | null = null;
  /** Wire id of the current link, shared with the remote peer in every `rtc` envelope. */
  private linkId: string | null = null;
  /** The offer that made the machine ask for a responder link. */
  private pendingOffer: { link: string; signal: PeerSignal } | null = null;

  constructor(private readonly options: LinkSupervisorOptions) {
    super();
    this.remoteId = options.remoteId;
    this.machine = initialLinkState(options.role, options.relayAvailable);
    this.timers = new TimerSet(options.clock);
  }

  get state(): LinkMachineState {
    return this.machine;
  }

  /** The link, when it is open. */
  get openLink(): LinkHandle | null {
    return this.machine.phase === 'connected' && this.link?.state === 'open' ? this.link : null;
  }

  /** The current link in any state (diagnostics, test hooks). */
  get currentLink(): LinkHandle | null {
    return this.link;
  }

  dispatch(event: LinkEvent): void {
    const { state, effects } = linkReducer(this.machine, event, { now: this.options.clock.now(), random: this.options.clock.random() });
    const changed = state !== this.machine;
    this.machine = state;
    for (const effect of effects) this.run(effect);
    if (changed) this.emit('change', state);
  }

  /** An `rtc` envelope from the remote peer. */
  handleSignal(envelope: Extract<SignalEnvelope, { kind: 'rtc' }>): void {
    if (envelope.link === this.linkId) {
      this.link?.signal(envelope.signal);
      return;
    }
    // A new link id: only an offer from the initiator may start one; everything else belongs
    // to a link we already dropped.
    if (this.machine.role !== 'responder' || envelope.signal.type !== 'offer') return;
    this.pendingOffer = { link: envelope.link, signal: envelope.signal };
    this.dispatch({ type: 'incoming-offer', transport: envelope.transport });
    this.pendingOffer = null;
  }

  private run(effect: LinkEffect): void {
    switch (effect.kind) {
      case 'create-link':
        this.createLink(effect.link, effect.transport);
        return;
      case 'destroy-link':
        if (this.linkGeneration === effect.link) this.dropLink();
        return;
      case 'ice-restart':
        if (this.linkGeneration === effect.link) this.link?.restartIce();
        return;
      case 'schedule':
        this.timers.schedule(effect.timer, effect.ms, (timer) => this.dispatch({ type: 'timer', timer }));
        return;
      case 'cancel':
        this.timers.cancel(effect.timer);
        return;
      case 'request-connect':
        this.options.sendEnvelope({ kind: 'connect-request' });
        return;
    }
  }

  private createLink(generation: number, transport: Transport): void {
    this.dropLink();
    const initiator = this.machine.role === 'initiator';
    const offer = this.pendingOffer;
    if (!initiator && !offer) return;
    const linkId = offer ? offer.link : randomBase64Url(12);
    const link = this.options.createLink({
      transport,
      initiator,
      sendSignal: (signal) => {
        if (this.link === link) this.options.sendEnvelope({ kind: 'rtc', link: linkId, transport, signal });
      },
    });
    this.link = link;
    this.linkGeneration = generation;
    this.linkId = linkId;
    link.on('open', () => {
      this.dispatch({ type: 'link-open', link: generation });
      if (this.openLink === link) this.emit('open', link);
    });
    link.on('degraded', () => this.dispatch({ type: 'link-degraded', link: generation }));
    link.on('recovered', () => this.dispatch({ type: 'link-recovered', link: generation }));
    link.on('message', (message) => this.emit('message', message));
    link.on('close', (info) => {
      if (this.link !== link) return;
      this.link = null;
      this.linkGeneration = null;
      this.linkId = null;
      this.emit('close', info);
      this.dispatch({ type: 'link-closed', link: generation, reason: `${info.reason}: ${info.detail}` });
    });
    if (offer) link.signal(offer.signal);
  }

  private dropLink(): void {
    const link = this.link;
    this.link = null;
    this.linkGeneration = null;
    this.linkId = null;
    link?.close();
  }

  stop(): void {
    this.dispatch({ type: 'stop' });
    this.timers.cancelAll();
    this.dropLink();
    this.removeAllListeners();
  }
}
