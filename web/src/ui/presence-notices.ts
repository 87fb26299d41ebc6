/** Brief "Ada joined" / "Ada left" notices, announced politely to screen readers. */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { systemClock } from '../net/clock.ts';
import { PresenceNotices } from '../sync/presence-notices.ts';
import type { PeerView } from '../sync/room-status.ts';

export class PresenceNoticeList extends LitElement {
  static properties = { peers: { attribute: false } };
  static styles = css`
    :host { display: block; font-size: 0.8rem; min-height: 0; }
    p { margin: 0.15rem 0; opacity: 0.8; }
  `;

  declare peers: readonly PeerView[];
  private readonly notices = new PresenceNotices(systemClock, () => this.requestUpdate());

  constructor() {
    super();
    this.peers = [];
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('peers')) this.notices.update(this.peers);
  }

  disconnectedCallback(): void {
    this.notices.destroy();
    super.disconnectedCallback();
  }

  render() {
    return html`<div role="status" aria-live="polite" aria-label="Who came and went">
      ${this.notices.current().map((n) => html`<p data-notice=${n.kind}>${n.name} ${n.kind}</p>`)}
    </div>`;
  }
}

customElements.define('meshpad-presence-notices', PresenceNoticeList);
