/** A room: the shared editor and the peer list. All networking lives in the RoomController. */
import { LitElement, css, html } from 'lit';
import type { MeshDiagnostic } from '../net/mesh.ts';
import type { RoomAddress } from '../net/room-url.ts';
import './code-editor.ts';
import './peer-list.ts';
import { RoomController } from './room-controller.ts';

const SIGNALING_LABEL = { idle: 'starting', connecting: 'connecting to signaling…', open: 'online', closed: 'signaling offline' } as const;

export class RoomView extends LitElement {
  static properties = { room: { attribute: false } };
  static styles = css`
    :host { display: grid; grid-template-columns: 1fr 16rem; grid-template-rows: auto 1fr; height: 100vh; }
    header { grid-column: 1 / -1; display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1rem;
      border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
    header a { font-weight: 700; text-decoration: none; color: inherit; }
    .status { font-size: 0.85rem; opacity: 0.8; }
    meshpad-editor { grid-column: 1; }
    aside { grid-column: 2; padding: 0.75rem; border-left: 1px solid color-mix(in srgb, CanvasText 15%, transparent); overflow: auto; }
    h2 { font-size: 0.9rem; margin: 0 0 0.5rem; }
    .error { color: #b91c1c; }
    details { margin-top: 1rem; font-size: 0.8rem; }
    details li { margin: 0.25rem 0; word-break: break-word; }
    @media (max-width: 640px) {
      :host { grid-template-columns: 1fr; grid-template-rows: auto 1fr auto; }
      aside { grid-column: 1; border-left: none; }
    }
  `;

  declare room: RoomAddress;
  private readonly controller = new RoomController(this, () => this.room);

  private renderDiagnostics(diagnostics: readonly MeshDiagnostic[]) {
    if (diagnostics.length === 0) return null;
    return html`<details>
      <summary>Connection notes (${diagnostics.length})</summary>
      <ul>
        ${diagnostics.map((d) => html`<li>${d.peer ? `${d.peer.slice(0, 8)}: ` : ''}${d.kind} — ${d.detail}</li>`)}
      </ul>
    </details>`;
  }

  render() {
    const snapshot = this.controller.snapshot;
    const error = this.controller.startError;
    return html`
      <header>
        <a href="/">Meshpad</a>
        <span class="status" role="status">${error ? html`<span class="error">${error}</span>` : SIGNALING_LABEL[snapshot?.signaling ?? 'idle']}</span>
      </header>
      <meshpad-editor .text=${this.controller.session?.text}></meshpad-editor>
      <aside>
        <h2>People here</h2>
        <meshpad-peer-list .selfId=${snapshot?.selfId ?? null} .peers=${snapshot?.peers ?? []}></meshpad-peer-list>
        ${this.renderDiagnostics(snapshot?.diagnostics ?? [])}
      </aside>
    `;
  }
}

customElements.define('meshpad-room', RoomView);
