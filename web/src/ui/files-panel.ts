/**
 * Files: "Send file" (several at once; or drop / paste files anywhere on the page), to everyone
 * or to one peer, and every transfer in the room with its progress (bar, bytes, rate, ETA),
 * Accept / Decline for offers, Cancel on both sides, Save and a verified mark when done.
 * Rendering only; FilesRoom does the work.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { blobSource } from '../files/blob-source.ts';
import type { FilesRoom, TransferView } from '../files/files-room.ts';
import { formatBytes, formatEta, formatRate } from '../files/transfer-format.ts';
import type { PeerView } from '../sync/room-status.ts';

const STATUS_LABEL: Record<TransferView['status'], string> = {
  preparing: 'hashing…',
  offered: 'offered',
  sending: 'sending',
  sent: 'sent, waiting for the check',
  delivered: 'delivered',
  receiving: 'receiving',
  verifying: 'checking…',
  verified: 'received',
  paused: 'paused',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
};

const ACTIVE = new Set<TransferView['status']>(['offered', 'sending', 'sent', 'receiving', 'verifying', 'paused']);

export class FilesPanel extends LitElement {
  static properties = { files: { attribute: false }, peers: { attribute: false } };
  static styles = css`
    :host { display: grid; gap: 0.5rem; font-size: 0.85rem; }
    h2 { font-size: 0.9rem; margin: 1rem 0 0; }
    .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
    button, select { font: inherit; }
    label.pick { display: inline-flex; gap: 0.3rem; align-items: center; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
    li { border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); padding-top: 0.4rem; display: grid; gap: 0.2rem; }
    .name { font-weight: 600; word-break: break-all; }
    progress { width: 100%; }
    .meta { opacity: 0.8; font-size: 0.8rem; }
    .verified { color: #15803d; font-weight: 600; }
    .error { color: #b91c1c; }
    .drop-hint { opacity: 0.7; font-size: 0.8rem; }
  `;

  declare files: FilesRoom | null;
  declare peers: readonly PeerView[];
  private target = '';
  private unsubscribe: (() => void) | null = null;
  private readonly onDragOver = (event: DragEvent) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  };
  private readonly onDrop = (event: DragEvent) => {
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    event.preventDefault();
    this.sendFiles([...files]);
  };
  private readonly onPaste = (event: ClipboardEvent) => {
    const files = event.clipboardData?.files;
    if (!files || files.length === 0) return; // text pastes go to the editor as usual
    event.preventDefault();
    this.sendFiles([...files]);
  };

  /** "Send a file to <peer>" in the peer list: choose files for that one peer. */
  private readonly onSendTo = (event: Event) => {
    const peer = (event as CustomEvent<{ peer?: unknown }>).detail?.peer;
    if (typeof peer !== 'string' || !this.peers.some((p) => p.id === peer)) return;
    this.target = peer;
    this.requestUpdate();
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  };

  constructor() {
    super();
    this.files = null;
    this.peers = [];
  }

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('drop', this.onDrop);
    window.addEventListener('paste', this.onPaste, { capture: true });
    window.addEventListener('meshpad-send-file', this.onSendTo);
  }

  disconnectedCallback(): void {
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('drop', this.onDrop);
    window.removeEventListener('paste', this.onPaste, { capture: true });
    window.removeEventListener('meshpad-send-file', this.onSendTo);
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

  protected updated(changed: PropertyValues<this>): void {
    if (!changed.has('files')) return;
    this.unsubscribe?.();
    this.unsubscribe = this.files?.subscribe(() => this.requestUpdate()) ?? null;
  }

  render() {
    const open = this.peers.filter((p) => p.link.phase === 'connected');
    const transfers = this.files?.list() ?? [];
    return html`
      <h2>Files</h2>
      <div class="row">
        <label class="pick">Send file
          <input type="file" multiple ?disabled=${!this.files} @change=${this.onPick} />
        </label>
        <select aria-label="Send to" @change=${(e: Event) => (this.target = (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${this.target === ''}>to everyone</option>
          ${open.map((p) => html`<option value=${p.id} ?selected=${this.target === p.id}>to ${p.presence?.name ?? p.id.slice(0, 8)}</option>`)}
        </select>
      </div>
      <div class="drop-hint">or drop or paste files anywhere on the page</div>
      ${transfers.length > 0 ? html`<ul aria-label="Transfers">${transfers.map((t) => this.renderTransfer(t))}</ul>` : nothing}
    `;
  }

  private renderTransfer(t: TransferView) {
    const direction = t.direction === 'out' ? `to ${t.peerName}` : `from ${t.peerName}`;
    const status = t.waiting ? 'waiting for the connection' : STATUS_LABEL[t.status];
    const moving = t.status === 'sending' || t.status === 'receiving' || t.status === 'preparing';
    const parts = [`${formatBytes(t.bytesDone)} of ${formatBytes(t.size)}`, moving ? formatRate(t.bytesPerSecond) : '', moving ? formatEta(t.etaSeconds) : ''].filter(Boolean);
    return html`<li data-key=${t.key} data-direction=${t.direction} data-status=${t.status} aria-label=${`${t.name} ${direction}`}>
      <span class="name">${t.name}</span>
      <span class="meta">${direction} · ${status}${t.verified ? html` · <span class="verified" data-verified>✓ verified</span>` : nothing}</span>
      <progress max=${Math.max(1, t.size)} value=${t.size === 0 && t.verified ? 1 : t.bytesDone} aria-label=${`${t.name} progress`}></progress>
      <span class="meta" data-progress>${parts.join(' · ')}</span>
      ${t.error && t.status !== 'cancelled' ? html`<span class="error" role="alert">${t.error}</span>` : nothing}
      ${t.status === 'cancelled' ? html`<span class="meta">${t.error === 'cancelled' ? 'you cancelled it' : t.error}</span>` : nothing}
      <div class="row">
        ${t.direction === 'in' && t.status === 'offered'
          ? html`<button type="button" @click=${() => this.files?.accept(t.key)}>Accept</button>
              <button type="button" @click=${() => this.files?.decline(t.key)}>Decline</button>`
          : nothing}
        ${ACTIVE.has(t.status) && t.status !== 'offered' ? html`<button type="button" @click=${() => this.files?.cancel(t.key)}>Cancel</button>` : nothing}
        ${t.direction === 'out' && t.status === 'offered' ? html`<button type="button" @click=${() => this.files?.cancel(t.key)}>Cancel</button>` : nothing}
        ${t.direction === 'in' && t.status === 'verified' ? html`<button type="button" @click=${() => void this.save(t)}>Save</button>` : nothing}
        ${!ACTIVE.has(t.status) && !(t.status === 'preparing' && !t.error)
          ? html`<button type="button" title="Remove from the list${t.direction === 'in' ? ' and delete the copy kept in this browser' : ''}" @click=${() => void this.files?.remove(t.key)}>Remove</button>`
          : nothing}
      </div>
    </li>`;
  }

  private onPick = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    this.sendFiles(files);
  };

  private sendFiles(files: File[]): void {
    if (!this.files || files.length === 0) return;
    const to = this.target !== '' && this.peers.some((p) => p.id === this.target) ? this.target : null;
    void this.files.send(
      files.map((file) => ({ source: blobSource(file), name: file.name, type: file.type })),
      to,
    );
  }

  private async save(t: TransferView): Promise<void> {
    const file = await this.files?.file(t.key);
    if (!file) return;
    const url = URL.createObjectURL(file.blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = file.name;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

customElements.define('meshpad-files-panel', FilesPanel);
