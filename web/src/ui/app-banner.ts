/** "Update available — reload" and "Install" prompts, over the app lifecycle store. */
import { LitElement, css, html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { appLifecycle } from './service-worker.ts';

class LifecycleController implements ReactiveController {
  private off: (() => void) | null = null;
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    this.off = appLifecycle.subscribe(() => this.host.requestUpdate());
  }
  hostDisconnected(): void {
    this.off?.();
  }
}

export class AppBanner extends LitElement {
  static styles = css`
    :host { position: fixed; right: 1rem; bottom: 1rem; display: grid; gap: 0.5rem; z-index: 10; }
    .card { display: flex; gap: 0.75rem; align-items: center; padding: 0.6rem 0.9rem; border-radius: 0.5rem;
      background: #1e293b; color: white; box-shadow: 0 4px 16px rgb(0 0 0 / 25%); font-size: 0.9rem; }
    button { font: inherit; border: none; border-radius: 0.35rem; padding: 0.3rem 0.8rem; cursor: pointer; }
  `;

  private readonly lifecycle = new LifecycleController(this);

  render() {
    void this.lifecycle;
    return html`
      ${appLifecycle.updateWaiting
        ? html`<div class="card" role="alert">
            <span>Update available</span>
            <button type="button" @click=${() => appLifecycle.applyUpdate()}>Reload</button>
          </div>`
        : null}
      ${appLifecycle.canInstall
        ? html`<div class="card">
            <span>Use Meshpad like an app</span>
            <button type="button" @click=${() => void appLifecycle.install()}>Install</button>
          </div>`
        : null}
    `;
  }
}

customElements.define('meshpad-app-banner', AppBanner);
