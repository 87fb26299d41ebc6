/** Top-level element: picks the view for the current path and handles in-app navigation. */
import { LitElement, css, html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { ROOM_ADDRESS_ERRORS, parseRoomLocation } from '../net/room-url.ts';
import './app-banner.ts';
import { adoptDocumentStyles } from './document-styles.ts';
import { appLifecycle } from './service-worker.ts';
import './home-view.ts';
import { NAVIGATE_EVENT } from './navigate.ts';
import './room-view.ts';


const STYLES = css`
  meshpad-app { display: block; height: 100%; }
  meshpad-app > .error { max-width: 40rem; margin: 4rem auto; padding: 0 1rem; }
`;

/** Light DOM (see document-styles.ts). */
export class AppShell extends LitElement {
  protected createRenderRoot(): HTMLElement {
    adoptDocumentStyles(STYLES);
    // index.html's "Loading Meshpad…" placeholder.
    this.replaceChildren();
    return this;
  }

  private readonly onPopState = (): void => this.requestUpdate();
  private readonly onNavigate = (event: Event): void => {
    const path = (event as CustomEvent<string>).detail;
    history.pushState(null, '', path);
    this.requestUpdate();
  };

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
    window.addEventListener('hashchange', this.onPopState);
    this.addEventListener(NAVIGATE_EVENT, this.onNavigate);
  }

  disconnectedCallback(): void {
    window.removeEventListener('popstate', this.onPopState);
    window.removeEventListener('hashchange', this.onPopState);
    this.removeEventListener(NAVIGATE_EVENT, this.onNavigate);
    super.disconnectedCallback();
  }

  render() {
    return html`${this.renderRoute()}<meshpad-app-banner></meshpad-app-banner>`;
  }

  private renderRoute() {
    const { pathname, hash } = location;
    if (pathname === '/' || pathname === '/index.html') return html`<meshpad-home></meshpad-home>`;
    const parsed = parseRoomLocation(pathname, hash);
    if (parsed.ok) {
      // Keyed by room, so switching rooms tears the old session down and starts a new one.
      return keyed(parsed.room.roomId, html`<meshpad-room .room=${parsed.room}></meshpad-room>`);
    }
    return html`<section class="error" role="alert">
      <h1>Cannot open this link</h1>
      <p>${ROOM_ADDRESS_ERRORS[parsed.reason]}</p>
      <p><a href="/">Go to the Meshpad home page</a></p>
    </section>`;
  }
}

customElements.define('meshpad-app', AppShell);

/** Called by main.ts once this (lazily loaded) module is in. */
export function startApp(): void {
  appLifecycle.start();
}

declare global {
  interface HTMLElementTagNameMap {
    'meshpad-app': AppShell;
  }
}
