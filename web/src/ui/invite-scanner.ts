/**
 * "Scan invite": the camera (getUserMedia) looking for a QR code of a room link. Decodes with the
 * browser's BarcodeDetector where it exists and supports QR, else with jsQR on video frames.
 * A Meshpad room link of this server navigates into the room; anything else is explained.
 */
import { LitElement, css, html } from 'lit';
import { interpretScan } from '../invite/scanned-invite.ts';
import { requestNavigation } from './navigate.ts';

/** Time between two decode attempts; jsQR on a 640-px frame takes ~10–40 ms. */
const SCAN_INTERVAL_MS = 150;
const MAX_FRAME_WIDTH = 640;

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

type Decoder = (video: HTMLVideoElement) => Promise<string | null>;

async function nativeDecoder(): Promise<Decoder | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    if (!(await Detector.getSupportedFormats()).includes('qr_code')) return null;
    const detector = new Detector({ formats: ['qr_code'] });
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
  } catch {
    return null;
  }
}

async function jsqrDecoder(): Promise<Decoder> {
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    if (!ctx || !video.videoWidth) return null;
    const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
  };
}

function cameraErrorText(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Camera access was denied. Allow the camera for this site in your browser settings and try again, or use a join code instead.';
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found on this device. Use a join code instead.';
  if (name === 'NotReadableError') return 'The camera is in use by another app. Close it and try again.';
  if (!navigator.mediaDevices?.getUserMedia) return 'This browser cannot use the camera here (it needs a secure https page). Use a join code instead.';
  return `The camera could not start${error instanceof Error && error.message ? `: ${error.message}` : ''}. Use a join code instead.`;
}

export class InviteScanner extends LitElement {
  static styles = css`
    :host { display: block; }
    video { width: 100%; max-width: 28rem; aspect-ratio: 4 / 3; background: #111; border-radius: 0.5rem; object-fit: cover; }
    .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin-top: 0.5rem; }
    button { font: inherit; padding: 0.5rem 1rem; min-height: 2.75rem; }
    .error { color: #b91c1c; }
    .note { opacity: 0.8; }
  `;

  private stream: MediaStream | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private status = 'Starting the camera…';
  private error = '';
  private otherServer = '';
  private stopped = false;
  private lastRejected = '';

  connectedCallback(): void {
    super.connectedCallback();
    this.stopped = false;
    void this.start();
  }

  disconnectedCallback(): void {
    this.stop();
    super.disconnectedCallback();
  }

  render() {
    return html`
      <video playsinline muted aria-label="Camera preview"></video>
      <p class="note" role="status">${this.status}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
      ${this.otherServer ? html`<p>This invite is for another Meshpad server: <a href=${this.otherServer}>open it there</a>.</p>` : null}
      <div class="row"><button type="button" @click=${this.close}>Close camera</button></div>
    `;
  }

  private async start(): Promise<void> {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no getUserMedia');
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (error) {
      this.status = '';
      this.error = cameraErrorText(error);
      this.requestUpdate();
      return;
    }
    if (this.stopped) return this.stop();
    await this.updateComplete;
    const video = this.renderRoot.querySelector('video');
    if (!video) return this.stop();
    video.srcObject = this.stream;
    try {
      await video.play();
    } catch {
      // Autoplay of a muted inline video is allowed; if it is not, frames still arrive for decoding.
    }
    const decode = (await nativeDecoder()) ?? (await jsqrDecoder());
    this.status = 'Point the camera at a Meshpad QR code.';
    this.requestUpdate();
    this.scan(video, decode);
  }

  private scan(video: HTMLVideoElement, decode: Decoder): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      let text: string | null = null;
      try {
        text = await decode(video);
      } catch {
        // A frame that cannot be read (e.g. not ready yet): try the next one.
      }
      if (text !== null && this.handle(text)) return;
      this.scan(video, decode);
    }, SCAN_INTERVAL_MS);
  }

  /** True when scanning is over (we navigate away). */
  private handle(text: string): boolean {
    const result = interpretScan(text, location.origin);
    if (result.kind === 'room') {
      this.stop();
      requestNavigation(this, result.path);
      return true;
    }
    if (text === this.lastRejected) return false;
    this.lastRejected = text;
    this.otherServer = result.kind === 'other-server' ? result.url : '';
    this.error =
      result.kind === 'damaged'
        ? result.message
        : result.kind === 'other-server'
          ? ''
          : 'That QR code is not a Meshpad invite. Scan the code shown in a Meshpad room (Invite people → QR code).';
    this.requestUpdate();
    return false;
  }

  private close(): void {
    this.stop();
    this.dispatchEvent(new CustomEvent('meshpad-scanner-close', { bubbles: true, composed: true }));
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }
}

customElements.define('meshpad-scanner', InviteScanner);

declare global {
  interface HTMLElementTagNameMap {
    'meshpad-scanner': InviteScanner;
  }
}
