/**
 * The AI panel: settings (endpoint, model, key — kept in this browser), Ask AI with the
 * selection (or the whole document) as context, and every answer in the room as it streams,
 * with Stop for the asker and Insert for anyone. Without an endpoint of its own, this browser asks
 * the room's AI peer when one is present. Rendering only; AiRoom does the work.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import type { Answer, AiRoom } from '../ai/ai-room.ts';
import { readAiSettings, saveAiSettings } from '../ai/ai-settings.ts';
import type { RoomAiPeer } from '../ai/room-ai-peer.ts';

export interface EditorAccess {
  selectionOrDocument(): string;
  insertAtCursor(text: string): void;
}

const STATUS_LABEL: Record<Answer['status'], string> = { streaming: 'answering…', done: '', stopped: 'stopped', error: 'failed' };

export class AiPanel extends LitElement {
  static properties = { ai: { attribute: false }, asker: { attribute: false }, editor: { attribute: false }, aiPeer: { attribute: false } };
  static styles = css`
    :host { display: grid; gap: 0.5rem; font-size: 0.85rem; }
    h2 { font-size: 0.9rem; margin: 1rem 0 0; }
    textarea, input { font: inherit; width: 100%; box-sizing: border-box; }
    .row { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    button { font: inherit; }
    .answer { border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); padding-top: 0.4rem; }
    .answer pre { white-space: pre-wrap; word-break: break-word; margin: 0.3rem 0; font-size: 0.8rem; }
    .error, .note.error { color: #b91c1c; }
    .note { opacity: 0.8; }
    dialog label { display: grid; gap: 0.2rem; margin-bottom: 0.5rem; }
  `;

  declare ai: AiRoom | null;
  declare asker: string;
  declare editor: EditorAccess | null;
  /** The room's AI peer, used when this browser has no endpoint of its own. */
  declare aiPeer: RoomAiPeer | null;
  private message: string | null = null;
  private settingsError: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.ai = null;
    this.asker = 'Guest';
    this.editor = null;
    this.aiPeer = null;
  }

  protected updated(changed: PropertyValues<this>): void {
    if (!changed.has('ai')) return;
    this.unsubscribe?.();
    this.unsubscribe = this.ai?.subscribe(() => this.requestUpdate()) ?? null;
  }

  disconnectedCallback(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

  render() {
    const answers = this.ai?.list() ?? [];
    const settings = readAiSettings(localStorage);
    return html`
      <h2>AI</h2>
      <div class="row">
        <button type="button" @click=${this.openSettings}>AI settings</button>
        <span class="note" data-ai-source=${settings ? 'own' : this.aiPeer ? 'peer' : 'none'}>${settings
          ? `${settings.model} at ${new URL(settings.endpoint).host}`
          : this.aiPeer
            ? `no endpoint set — using the room's AI peer (${this.aiPeer.model})`
            : 'no AI endpoint set, and no AI peer in this room'}</span>
      </div>
      <form @submit=${this.ask}>
        <label>Ask AI <textarea name="prompt" rows="2" placeholder="Explain the selected code…"></textarea></label>
        <button type="submit">Ask AI</button>
      </form>
      ${this.message ? html`<p class="note error" role="alert">${this.message}</p>` : null}
      ${answers
        .slice()
        .reverse()
        .map(
          (answer) => html`<article class="answer" data-answer=${answer.id} data-status=${answer.status}>
            <div><strong>${answer.asker}</strong> asked: ${answer.prompt}</div>
            <pre>${answer.text}</pre>
            ${answer.status === 'error' ? html`<div class="error" role="alert">${answer.error}</div>` : null}
            <div class="row">
              <span class="note">${STATUS_LABEL[answer.status]}</span>
              ${this.ai?.canStop(answer)
                ? html`<button type="button" @click=${() => this.ai?.stop(answer.id)}>Stop</button>`
                : null}
              ${answer.status !== 'streaming' && answer.text
                ? html`<button type="button" @click=${() => this.editor?.insertAtCursor(answer.text)}>Insert</button>`
                : null}
            </div>
          </article>`,
        )}
      <dialog @close=${() => this.requestUpdate()}>
        <form method="dialog" @submit=${this.saveSettings}>
          <label>AI endpoint <input name="endpoint" placeholder="http://localhost:11434/v1" .value=${settings?.endpoint ?? ''} /></label>
          <label>Model <input name="model" placeholder="llama3.2" .value=${settings?.model ?? ''} /></label>
          <label>API key <input name="apiKey" type="password" autocomplete="off" .value=${settings?.apiKey ?? ''} /></label>
          <p class="note">Your API key stays in this browser: it is sent only to the endpoint above, never to other peers or to the Meshpad server.</p>
          ${this.settingsError ? html`<p class="note error" role="alert">${this.settingsError}</p>` : null}
          <div class="row">
            <button type="submit" value="save">Save</button>
            <button type="button" @click=${this.closeSettings}>Cancel</button>
          </div>
        </form>
      </dialog>
    `;
  }

  private openSettings(): void {
    this.settingsError = null;
    this.renderRoot.querySelector('dialog')?.showModal();
    this.requestUpdate();
  }

  private closeSettings(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private saveSettings(event: SubmitEvent): void {
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const error = saveAiSettings(localStorage, {
      endpoint: String(data.get('endpoint') ?? ''),
      model: String(data.get('model') ?? ''),
      apiKey: String(data.get('apiKey') ?? ''),
    });
    if (error) {
      event.preventDefault();
      this.settingsError = error;
    }
    this.requestUpdate();
  }

  private ask(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const prompt = String(new FormData(form).get('prompt') ?? '').trim();
    const settings = readAiSettings(localStorage);
    this.message = null;
    if (!prompt) this.message = 'Type a question first.';
    else if (!settings && !this.aiPeer)
      this.message = 'No AI endpoint is set and no AI peer is in this room: set one in AI settings, or start one with npm run peer -- <room link> --ai <endpoint> --model <name>.';
    else if (!this.ai) this.message = 'The room is still starting.';
    if (this.message || !this.ai) {
      this.requestUpdate();
      return;
    }
    form.reset();
    const context = this.editor?.selectionOrDocument() ?? '';
    if (settings) void this.ai.ask(prompt, context, this.asker, settings);
    else if (this.aiPeer) this.ai.request(this.aiPeer.peer, prompt, context, this.asker);
  }
}

customElements.define('meshpad-ai-panel', AiPanel);
