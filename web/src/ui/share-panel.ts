/**
 * "Invite people" in a room: the room link with Copy (and the system share sheet where the
 * browser has one), a QR code of the link for a phone camera, and a short join code
 * (web/src/invite/invite-flow.ts does the work; this only renders its status).
 */
import { LitElement, css, html } from 'lit';
import { roomPath, type RoomAddress } from '../net/room-url.ts';
import type { InviteStatus } from '../invite/invite-flow.ts';

/** Modules per side of the quiet zone (the QR spec asks for 4). */
const QR_MARGIN = 4;
/**
 * On-screen size of one QR module in CSS pixels: as large as the panel allows within these
 * bounds (a 45-module code is 180–360 CSS px), so a phone camera reads it across a desk.
 */
const QR_MODULE_CSS_PX = { min: 4, max: 8 } as const;

export function roomLink(room: RoomAddress, origin = location.origin): string {
  return `${origin}${roomPath(room)}`;
}

function remaining(expiresAt: number, now: number): string {
  const s = Math.max(0, Math.round((expiresAt - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class SharePanel extends LitElement {
  static properties = { room: { attribute: false } };
  static styles = css`
    :host { display: block; font-size: 0.85rem; margin-bottom: 1rem; }
    h2 { font-size: 0.9rem; margin: 0 0 0.5rem; }
    .row { display: flex; gap: 0.4rem; }
    input { flex: 1; min-width: 0; font: inherit; font-family: ui-monospace, monospace; font-size: 0.75rem; padding: 0.3rem; }
    button { font: inherit; padding: 0.35rem 0.6rem; min-height: 2.25rem; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.5rem; }
    .qr { margin-top: 0.5rem; background: white; padding: 0; display: inline-block; line-height: 0; }
    canvas { display: block; image-rendering: pixelated; }
    .code { font-family: ui-monospace, monospace; font-size: 1.4rem; font-weight: 700; letter-spacing: 0.02em;
      margin: 0.5rem 0 0.25rem; word-break: break-word; }
    .note { opacity: 0.8; margin: 0.25rem 0; }
    .error { color: #b91c1c; }
    .ok { color: #15803d; }
  `;

  declare room: RoomAddress;
  private qrOpen = false;
  private copied = false;
  private qrError = '';
  private invite: InviteStatus | null = null;
  private cancelInvite: (() => void) | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;

  disconnectedCallback(): void {
    this.stopInvite();
    super.disconnectedCallback();
  }

  protected updated(): void {
    if (this.qrOpen) void this.drawQr();
  }

  render() {
    const link = roomLink(this.room);
    const canShare = typeof navigator.share === 'function';
    return html`
      <h2>Invite people</h2>
      <div class="row">
        <input type="text" readonly aria-label="Room link" .value=${link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
        <button type="button" @click=${() => this.copy(link)}>${this.copied ? 'Copied' : 'Copy'}</button>
      </div>
      <div class="actions">
        ${canShare ? html`<button type="button" @click=${() => this.share(link)}>Share…</button>` : null}
        <button type="button" aria-expanded=${this.qrOpen} @click=${this.toggleQr}>${this.qrOpen ? 'Hide QR code' : 'QR code'}</button>
        <button type="button" @click=${this.newInvite}>${this.invite ? 'New code' : 'Invite with a code'}</button>
      </div>
      ${this.qrOpen
        ? html`<div class="qr"><canvas aria-label="QR code of the room link" role="img"></canvas></div>
            ${this.qrError ? html`<p class="error" role="alert">${this.qrError}</p>` : html`<p class="note">Scan with a phone camera to open this room.</p>`}`
        : null}
      ${this.renderInvite()}
    `;
  }

  private renderInvite() {
    const s = this.invite;
    if (!s) return null;
    switch (s.phase) {
      case 'connecting':
        return html`<p class="note" role="status">Getting a code…</p>`;
      case 'waiting':
      case 'exchanging':
        return html`<p class="code" data-join-code=${s.code}>${s.code}</p>
          <p class="note" role="status">${s.phase === 'waiting'
            ? `Tell the other person this code. It works once, for ${remaining(s.expiresAt, Date.now())} more.`
            : 'Checking the code…'}</p>`;
      case 'done':
        return html`<p class="ok" role="status" data-invite="done">Code ${s.code} was used: they are joining.</p>`;
      case 'failed':
        return html`<p class="error" role="alert" data-invite-failure=${s.failure}>${s.message}</p>`;
    }
  }

  private async copy(link: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(link);
      this.copied = true;
    } catch {
      // No clipboard permission (or insecure context): leave the link selected for a manual copy.
      this.renderRoot.querySelector('input')?.select();
    }
    this.requestUpdate();
  }

  private async share(link: string): Promise<void> {
    try {
      await navigator.share({ title: 'Meshpad room', text: 'Edit code with me in Meshpad', url: link });
    } catch {
      // Dismissed by the user, or refused: nothing to report.
    }
  }

  private toggleQr(): void {
    this.qrOpen = !this.qrOpen;
    this.requestUpdate();
  }

  private async drawQr(): Promise<void> {
    const canvas = this.renderRoot.querySelector('canvas');
    const link = roomLink(this.room);
    if (!canvas || canvas.dataset.link === link) return;
    canvas.dataset.link = link;
    try {
      const { default: QRCode } = await import('qrcode');
      const modules = QRCode.create(link, { errorCorrectionLevel: 'M' }).modules.size + 2 * QR_MARGIN;
      // Whole device pixels per module keep edges sharp; CSS size stays ≥ QR_MODULE_CSS_PX a module.
      const dpr = Math.max(1, Math.round(globalThis.devicePixelRatio || 1));
      const fit = Math.floor(this.clientWidth / modules);
      const cssModule = Math.min(QR_MODULE_CSS_PX.max, Math.max(QR_MODULE_CSS_PX.min, fit));
      const scale = cssModule * dpr;
      await QRCode.toCanvas(canvas, link, { errorCorrectionLevel: 'M', margin: QR_MARGIN, scale });
      // qrcode sets the CSS size to the bitmap size; show it at whole device pixels per module instead.
      const css = `${modules * cssModule}px`;
      canvas.style.width = css;
      canvas.style.height = css;
      this.qrError = '';
    } catch (error) {
      this.qrError = `Could not draw the QR code: ${error instanceof Error ? error.message : String(error)}`;
      this.requestUpdate();
    }
  }

  private async newInvite(): Promise<void> {
    this.stopInvite();
    this.invite = { phase: 'connecting' };
    this.requestUpdate();
    // Loaded on demand: the PAKE's curve code is not needed to open a room.
    const { mailboxUrl, startInvite } = await import('../invite/invite-flow.ts');
    if (!this.isConnected) return;
    const handle = startInvite({
      url: mailboxUrl(location.origin),
      room: this.room,
      onStatus: (status) => {
        this.invite = status;
        if (status.phase === 'done' || status.phase === 'failed') this.stopTicker();
        this.requestUpdate();
      },
    });
    this.cancelInvite = handle.cancel;
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private stopInvite(): void {
    this.stopTicker();
    this.cancelInvite?.();
    this.cancelInvite = null;
  }
}

customElements.define('meshpad-share-panel', SharePanel);

declare global {
  interface HTMLElementTagNameMap {
    'meshpad-share-panel': SharePanel;
  }
}
