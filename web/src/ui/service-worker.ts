/**
 * Registers the Workbox service worker (built by vite-plugin-pwa) with workbox-window and
 * exposes two facts the UI shows: an update is waiting (offer "reload"), and the browser offers
 * installation (`beforeinstallprompt`).
 */
import { Workbox } from 'workbox-window';

type Listener = () => void;

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class AppLifecycle {
  updateWaiting = false;
  canInstall = false;
  private workbox: Workbox | null = null;
  private installEvent: BeforeInstallPromptEvent | null = null;
  private readonly listeners = new Set<Listener>();

  start(): void {
    window.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.installEvent = event as BeforeInstallPromptEvent;
      this.canInstall = true;
      this.notify();
    });
    window.addEventListener('appinstalled', () => {
      this.installEvent = null;
      this.canInstall = false;
      this.notify();
    });
    if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
    const workbox = new Workbox('/sw.js', { scope: '/' });
    this.workbox = workbox;
    workbox.addEventListener('waiting', () => {
      this.updateWaiting = true;
      this.notify();
    });
    // Once the new worker has taken over, load the page again so it runs the new version.
    workbox.addEventListener('controlling', (event) => {
      if (event.isUpdate) window.location.reload();
    });
    workbox.register().catch((error: unknown) => console.warn('[meshpad] service worker registration failed', error));
  }

  /** Activates the waiting service worker; the page reloads when it controls it. */
  applyUpdate(): void {
    if (!this.workbox) return;
    this.workbox.messageSkipWaiting();
  }

  async install(): Promise<void> {
    const event = this.installEvent;
    if (!event) return;
    await event.prompt();
    const choice = await event.userChoice;
    if (choice.outcome === 'accepted') this.canInstall = false;
    this.installEvent = null;
    this.notify();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export const appLifecycle = new AppLifecycle();
