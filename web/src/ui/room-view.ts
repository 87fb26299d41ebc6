/** A room: the shared editor and the peer list. All networking lives in the RoomController. */
import { LitElement, css, html } from 'lit';
import type { MeshDiagnostic } from '../net/mesh.ts';
import type { SaveStatus } from '../sync/doc-store.ts';
import { retryCountdown, type OverallStatus, type RoomSnapshot } from '../sync/room-status.ts';
import type { RoomAddress } from '../net/room-url.ts';
import './code-editor.ts';
import './ai-panel.ts';
import './files-panel.ts';
import './peer-list.ts';
import './driver-bar.ts';
import './presence-notices.ts';
import './share-panel.ts';
import { afterNextPaint } from './background-task.ts';
import { FollowController, type FollowView } from './follow-controller.ts';
import type { CodeEditor } from './code-editor.ts';
import { RoomController } from './room-controller.ts';
import { adoptDocumentStyles } from './document-styles.ts';

const SAVE_LABEL: Record<SaveStatus, string> = {
  loading: 'loading…',
  saving: 'saving…',
  saved: 'saved on this device',
  error: 'not saved — retrying',
};

const BADGE_LABEL: Record<OverallStatus, string> = { connected: 'connected', reconnecting: 'reconnecting', offline: 'offline' };

function signalingText(snapshot: RoomSnapshot, now: number): string {
  const { phase, retryAt, reason } = snapshot.signaling;
  switch (phase) {
    case 'idle':
      return 'starting…';
    case 'connecting':
      return 'connecting to signaling…';
    case 'connected':
      return snapshot.relayConfigured ? 'signaling online' : 'signaling online · no TURN relay configured (direct connections only)';
    case 'reconnecting':
      return `signaling offline — ${retryCountdown(retryAt, now) ?? 'retrying'}`;
    case 'failed':
      return `signaling failed: ${reason ?? 'unknown error'}`;
  }
}

const STYLES = css`
  meshpad-room { display: grid; grid-template-columns: 1fr 16rem; grid-template-rows: auto 1fr; height: 100vh; height: 100dvh; }
  meshpad-room > header { grid-column: 1 / -1; display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1rem;
    border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  meshpad-room > header, meshpad-room > aside { contain: content; }
  meshpad-room > header a { font-weight: 700; text-decoration: none; color: inherit; }
  meshpad-room .status { font-size: 0.85rem; opacity: 0.8; }
  meshpad-room .badge { font-size: 0.8rem; padding: 0.1rem 0.5rem; border-radius: 1rem; border: 1px solid currentColor; }
  meshpad-room .badge.connected { color: #15803d; }
  meshpad-room .badge.reconnecting { color: #b45309; }
  meshpad-room .badge.offline { color: #b91c1c; }
  meshpad-room > header button { font: inherit; font-size: 0.8rem; }
  meshpad-room .save { margin-left: auto; font-size: 0.8rem; opacity: 0.75; }
  meshpad-room .save.error { color: #b91c1c; opacity: 1; }
  meshpad-room > meshpad-editor { grid-column: 1; }
  meshpad-room > aside { grid-column: 2; padding: 0.75rem; border-left: 1px solid color-mix(in srgb, CanvasText 15%, transparent); overflow: auto; }
  meshpad-room > aside h2 { font-size: 0.9rem; margin: 1rem 0 0.5rem; }
  meshpad-room .name { display: grid; gap: 0.25rem; font-size: 0.85rem; }
  meshpad-room .name input { font: inherit; padding: 0.3rem 0.4rem; }
  meshpad-room .hint { font-size: 0.8rem; color: #b45309; margin: 0.25rem 0 0; }
  meshpad-room .error { color: #b91c1c; }
  meshpad-room details { margin-top: 1rem; font-size: 0.8rem; }
  meshpad-room details li { margin: 0.25rem 0; word-break: break-word; }
  @media (max-width: 640px) {
    meshpad-room { grid-template-columns: 1fr; grid-template-rows: auto 1fr auto; }
    meshpad-room > aside { grid-column: 1; border-left: none; }
    /* Phones: the side panel scrolls inside at most 40% of the visible height, so the editor keeps
       room when the on-screen keyboard shrinks the viewport (see interactive-widget in index.html). */
    meshpad-room > aside { max-height: 40vh; max-height: 40dvh; border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
    meshpad-room > meshpad-editor { min-height: 0; }
  }
`;

/** Light DOM (see document-styles.ts). */
export class RoomView extends LitElement {
  static properties = { room: { attribute: false }, sideShown: { state: true } };

  declare room: RoomAddress;
  /** The side panel renders after the editor's first frame, which then costs less (a join waits for it). */
  declare sideShown: boolean;

  constructor() {
    super();
    this.sideShown = false;
  }

  protected firstUpdated(): void {
    afterNextPaint(() => {
      this.sideShown = true;
    });
  }

  protected createRenderRoot(): HTMLElement {
    adoptDocumentStyles(STYLES);
    return this;
  }
  private readonly controller = new RoomController(this, () => this.room);
  private readonly follow = new FollowController(this, () => this.controller.session, () => this.editor());

  private readonly editorAccess = {
    selectionOrDocument: () => this.editor()?.selectionOrDocument() ?? '',
    insertAtCursor: (text: string) => this.editor()?.insertAtCursor(text),
  };

  private editor(): CodeEditor | null {
    return this.renderRoot.querySelector('meshpad-editor');
  }

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
    const now = Date.now();
    const follow = this.follow.view();
    return html`
      <header @meshpad-retry=${() => this.controller.retry()}>
        <a href="/">Meshpad</a>
        ${snapshot
          ? html`<span class="badge ${snapshot.overall}" data-overall=${snapshot.overall}>${BADGE_LABEL[snapshot.overall]}</span>`
          : null}
        <span class="status" role="status">${error ? html`<span class="error">${error}</span>` : snapshot ? signalingText(snapshot, now) : 'starting…'}</span>
        ${snapshot?.signaling.phase === 'failed' ? html`<button type="button" @click=${() => this.controller.retry()}>Retry</button>` : null}
        ${snapshot?.save ? html`<span class="save ${snapshot.save.status}" data-save=${snapshot.save.status} title=${snapshot.save.error ?? ''}>${SAVE_LABEL[snapshot.save.status]}</span>` : null}
      </header>
      <meshpad-editor .text=${this.controller.session?.text} .awareness=${this.controller.session?.awareness}></meshpad-editor>
      <aside @meshpad-retry=${() => this.controller.retry()}>${this.sideShown ? this.renderSide(snapshot, now, follow) : null}</aside>
    `;
  }

  private renderSide(snapshot: RoomSnapshot | null, now: number, follow: FollowView) {
    return html`
      <meshpad-share-panel .room=${this.room}></meshpad-share-panel>
      <label class="name">Your name
        <input type="text" maxlength="40" autocomplete="nickname" .value=${this.controller.name}
          @change=${(e: Event) => this.controller.rename((e.target as HTMLInputElement).value)} />
      </label>
      ${this.controller.nameChosen ? null : html`<p class="hint" data-ask-name>Choose the name the others see (you are ${this.controller.name} for now).</p>`}
      <h2>People here</h2>
      <meshpad-driver-bar .view=${follow}></meshpad-driver-bar>
      <meshpad-presence-notices .peers=${snapshot?.peers ?? []}></meshpad-presence-notices>
      <meshpad-peer-list .selfId=${snapshot?.selfId ?? null} .self=${snapshot?.self ?? null} .peers=${snapshot?.peers ?? []} .now=${now}
        .driverId=${follow.driver?.peer ?? null} .following=${follow.following} .canHandOver=${follow.isDriver}></meshpad-peer-list>
      <meshpad-files-panel .files=${this.controller.session?.files ?? null} .peers=${snapshot?.peers ?? []}></meshpad-files-panel>
      <meshpad-ai-panel .ai=${this.controller.session?.ai ?? null} .aiPeer=${this.controller.session?.aiPeer() ?? null} .asker=${this.controller.name} .editor=${this.editorAccess}></meshpad-ai-panel>
      ${this.renderDiagnostics(snapshot?.diagnostics ?? [])}
    `;
  }
}

customElements.define('meshpad-room', RoomView);
