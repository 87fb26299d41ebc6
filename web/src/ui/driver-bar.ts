/** Who drives the room, with Follow driver and Take over. Rendering only; FollowController acts. */
import { LitElement, css, html } from 'lit';
import type { FollowView } from './follow-controller.ts';
import { FollowEvent, followEvent } from './follow-events.ts';

export class DriverBar extends LitElement {
  static properties = { view: { attribute: false } };
  static styles = css`
    :host { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; font-size: 0.85rem; margin: 0.5rem 0; }
    button { font: inherit; font-size: 0.8rem; }
    .note { opacity: 0.8; }
  `;

  declare view: FollowView | null;

  constructor() {
    super();
    this.view = null;
  }

  private fire(type: FollowEvent): void {
    this.dispatchEvent(followEvent(type));
  }

  render() {
    const view = this.view;
    if (!view) return null;
    const { driver, isDriver, canTakeOver, followingDriver } = view;
    return html`
      <span class="note" data-driver-name=${driver?.name ?? ''}>${driver ? (isDriver ? 'You are the driver' : `Driver: ${driver.name}`) : 'No driver yet'}</span>
      ${driver && !isDriver
        ? followingDriver
          ? html`<button type="button" @click=${() => this.fire(FollowEvent.unfollow)}>Stop following</button>`
          : html`<button type="button" @click=${() => this.fire(FollowEvent.followDriver)}>Follow driver</button>`
        : null}
      ${canTakeOver ? html`<button type="button" @click=${() => this.fire(FollowEvent.takeOver)}>Take over</button>` : null}
    `;
  }
}

customElements.define('meshpad-driver-bar', DriverBar);
