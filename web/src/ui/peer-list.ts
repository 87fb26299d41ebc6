/**
 * The people in the room: you first, then every peer with its link state, transport and RTT; who
 * is the driver; Follow for each peer, and Make driver when we are the driver.
 */
import { LitElement, css, html } from 'lit';
import type { LinkPhase } from '../net/link-machine.ts';
import type { PresenceState } from '../sync/presence.ts';
import { retryCountdown, type PeerView } from '../sync/room-status.ts';
import { FollowEvent, followEvent } from './follow-events.ts';

const PHASE_LABEL: Record<LinkPhase, string> = {
  idle: 'idle',
  connecting: 'connecting…',
  relay: 'connecting via relay…',
  connected: 'connected',
  reconnecting: 'reconnecting',
  failed: 'connection failed',
};

export class PeerList extends LitElement {
  static properties = {
    selfId: { attribute: false },
    self: { attribute: false },
    peers: { attribute: false },
    now: { attribute: false },
    driverId: { attribute: false },
    following: { attribute: false },
    canHandOver: { attribute: false },
  };
  static styles = css`
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.4rem; }
    li { display: grid; gap: 0.1rem; font-size: 0.9rem; }
    .id { font-family: ui-monospace, monospace; }
    .who { font-weight: 600; }
    .dot { display: inline-block; width: 0.6rem; height: 0.6rem; border-radius: 50%; margin-right: 0.3rem; }
    .state, .detail { opacity: 0.75; font-size: 0.8rem; }
    .connected .state { color: #15803d; opacity: 1; }
    .failed .state { color: #b91c1c; opacity: 1; }
    button { font: inherit; font-size: 0.8rem; justify-self: start; }
    .actions { display: flex; gap: 0.3rem; flex-wrap: wrap; }
    .driver { font-size: 0.75rem; padding: 0 0.35rem; border-radius: 0.5rem; border: 1px solid currentColor; }
  `;

  declare selfId: string | null;
  declare self: PresenceState | null;
  declare peers: readonly PeerView[];
  declare now: number;
  declare driverId: string | null;
  declare following: string | null;
  declare canHandOver: boolean;

  constructor() {
    super();
    this.selfId = null;
    this.self = null;
    this.peers = [];
    this.now = Date.now();
    this.driverId = null;
    this.following = null;
    this.canHandOver = false;
  }

  private fire(type: FollowEvent, peer?: string): void {
    this.dispatchEvent(followEvent(type, peer));
  }

  private driverBadge(id: string) {
    return id === this.driverId ? html` <span class="driver" data-driver>driver</span>` : null;
  }

  render() {
    return html`<ul role="list" aria-label="Peers">
      ${this.selfId
        ? html`<li data-peer-id=${this.selfId} data-self data-status=${this.self?.status ?? 'active'} ?data-is-driver=${this.selfId === this.driverId}>
            <span>${this.self ? html`<span class="dot" style="background:${this.self.color}"></span><span class="who">${this.self.name}</span>` : html`<span class="id">${this.selfId.slice(0, 8)}</span>`}
              <span class="state">(you)</span>${this.driverBadge(this.selfId)}</span>
          </li>`
        : null}
      ${this.peers.map((peer) => this.renderPeer(peer))}
    </ul>`;
  }

  private renderPeer(peer: PeerView) {
    const { phase, transport, retryAt, reason } = peer.link;
    const route = phase === 'connected' ? (peer.stats?.transport ?? transport) : null;
    const rtt = phase === 'connected' && peer.stats?.rttMs != null ? `${peer.stats.rttMs} ms` : null;
    const countdown = retryCountdown(retryAt, this.now);
    const waiting = phase === 'reconnecting' && !peer.present && retryAt === null ? 'waiting for the peer to come back' : null;
    const presence = peer.presence;
    const status = presence ? (presence.lost ? 'lost' : presence.status) : null;
    const label = presence?.name ?? peer.id.slice(0, 8);
    const followed = this.following === peer.id;
    return html`<li data-peer-id=${peer.id} data-phase=${phase} data-transport=${route ?? ''} data-status=${status ?? ''} class=${phase}
      ?data-is-driver=${peer.id === this.driverId} ?data-following=${followed}>
      <span>
        ${presence
          ? html`<span class="dot" style="background:${presence.color}"></span><span class="who">${presence.name}</span>`
          : html`<span class="id">${peer.id.slice(0, 8)}</span>`}
        <span class="state">${PHASE_LABEL[phase]}${status && status !== 'active' ? ` · ${status}` : ''}</span>${this.driverBadge(peer.id)}
      </span>
      ${phase === 'connected' && presence
        ? html`<span class="actions">
            ${followed
              ? html`<button type="button" aria-label=${`Stop following ${label}`} @click=${() => this.fire(FollowEvent.unfollow)}>Stop following</button>`
              : html`<button type="button" aria-label=${`Follow ${label}`} @click=${() => this.fire(FollowEvent.follow, peer.id)}>Follow</button>`}
            ${this.canHandOver
              ? html`<button type="button" aria-label=${`Make ${label} driver`} @click=${() => this.fire(FollowEvent.makeDriver, peer.id)}>Make driver</button>`
              : null}
          </span>`
        : null}
      <span class="detail">${[route, rtt, countdown, waiting].filter(Boolean).join(' · ')}</span>
      ${phase === 'connected'
        ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('meshpad-send-file', { bubbles: true, composed: true, detail: { peer: peer.id } }))}>Send a file to ${presence?.name ?? peer.id.slice(0, 8)}</button>`
        : null}
      ${phase === 'failed'
        ? html`<span class="detail">${reason}</span>
            <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('meshpad-retry', { bubbles: true, composed: true }))}>Retry</button>`
        : null}
    </li>`;
  }
}

customElements.define('meshpad-peer-list', PeerList);
