/** The people in the room: you first, then every peer with its link state. */
import { LitElement, css, html } from 'lit';
import type { PeerSnapshot } from '../net/mesh.ts';

const STATE_LABEL: Record<PeerSnapshot['state'], string> = {
  connecting: 'connecting…',
  open: 'connected',
  closed: 'disconnected',
};

export class PeerList extends LitElement {
  static properties = { selfId: { attribute: false }, peers: { attribute: false } };
  static styles = css`
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.25rem; }
    li { display: flex; gap: 0.5rem; align-items: baseline; font-size: 0.9rem; }
    .id { font-family: ui-monospace, monospace; }
    .state { opacity: 0.7; }
    .open .state { color: #15803d; opacity: 1; }
  `;

  declare selfId: string | null;
  declare peers: readonly PeerSnapshot[];

  constructor() {
    super();
    this.selfId = null;
    this.peers = [];
  }

  render() {
    return html`<ul role="list" aria-label="Peers">
      ${this.selfId
        ? html`<li data-peer-id=${this.selfId} data-self><span class="id">${this.selfId.slice(0, 8)}</span><span class="state">(you)</span></li>`
        : null}
      ${this.peers.map(
        (peer) => html`<li data-peer-id=${peer.id} class=${peer.state}>
          <span class="id">${peer.id.slice(0, 8)}</span><span class="state">${STATE_LABEL[peer.state]}</span>
        </li>`,
      )}
    </ul>`;
  }
}

customElements.define('meshpad-peer-list', PeerList);
