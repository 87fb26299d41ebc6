/** The landing page: create a room. */
import { LitElement, css, html } from 'lit';
import { createRoomAddress, roomPath } from '../net/room-url.ts';

export class HomeView extends LitElement {
  static styles = css`
    :host { display: block; max-width: 40rem; margin: 0 auto; padding: 3rem 1rem; }
    h1 { font-size: 2.5rem; margin: 0 0 0.5rem; }
    button { font: inherit; font-size: 1.1rem; padding: 0.6rem 1.4rem; border-radius: 0.5rem;
      border: none; background: #1d4ed8; color: white; cursor: pointer; }
    button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
  `;

  render() {
    return html`
      <h1>Meshpad</h1>
      <p>Edit code together in real time. Your browsers talk directly to each other; no server keeps your work.</p>
      <button type="button" @click=${this.newRoom}>New room</button>
    `;
  }

  private newRoom(): void {
    const path = roomPath(createRoomAddress());
    this.dispatchEvent(new CustomEvent('meshpad-navigate', { detail: path, bubbles: true, composed: true }));
  }
}

customElements.define('meshpad-home', HomeView);
