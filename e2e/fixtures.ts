import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ChannelInfo, LinkStats as LinkStatsInfo } from '../web/src/net/peer-link.ts';
import type { MeshpadDebug } from '../web/src/ui/debug-hook.ts';
import { guardNavigations } from './navigation-guard.ts';

// The page's test hooks, typed by the app's own declarations (web/src/ui/debug-hook.ts).
export type { ChannelInfo, LinkStats as LinkStatsInfo } from '../web/src/net/peer-link.ts';
export type { MeshpadDebug } from '../web/src/ui/debug-hook.ts';

/** One entry of `window.meshpad.linkStates()`. */
export type LinkStateInfo = ReturnType<MeshpadDebug['linkStates']>[string];

/** A separate browser context (like a separate browser profile) and its page. */
export interface Peer {
  name: string;
  context: BrowserContext;
  page: Page;
}

/** Permissions every peer context needs: without them Chromium offers no loopback ICE candidates. */
export const PEER_PERMISSIONS: readonly string[] = ['camera', 'microphone'];

export const ROOM_URL_RE = /\/r\/([A-Za-z0-9_-]{22,})#([A-Za-z0-9_-]{22,})$/;

/** Monotonic milliseconds (for printed metrics only). */
export const now = (): number => performance.now();

/** Print a metric line (no assertions on timings). */
export function metric(name: string, value: number | string, unit = 'ms'): void {
  const v = typeof value === 'number' ? value.toFixed(1) : value;
  console.log(`[metric] ${name}: ${v}${typeof value === 'number' ? ` ${unit}` : ''}`);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

async function newPeer(browser: Browser, name: string, baseURL: string | undefined): Promise<Peer> {
  const context = await browser.newContext({ permissions: [...PEER_PERMISSIONS], ...(baseURL ? { baseURL } : {}) });
  const page = await context.newPage();
  guardNavigations(page, name);
  page.on('pageerror', (err) => console.log(`[page ${name}] uncaught: ${err.stack ?? err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${name}] console.${msg.type()}: ${msg.text()}`);
  });
  return { name, context, page };
}

type OpenPeers = (n: number) => Promise<Peer[]>;

export const test = base.extend<{ openPeers: OpenPeers }>({
  /** Open `n` more isolated peers (contexts named A, B, C, … in opening order); all closed after the test. */
  openPeers: async ({ browser, baseURL }, use) => {
    const opened: Peer[] = [];
    await use(async (n: number) => {
      const names = Array.from({ length: n }, (_, i) => String.fromCharCode(65 + opened.length + i));
      const peers = await Promise.all(names.map((name) => newPeer(browser, name, baseURL)));
      opened.push(...peers);
      return peers;
    });
    await Promise.all(opened.map((p) => p.context.close().catch(() => undefined)));
  },
});

export { expect };

// ---- debug hook accessors (each returns null while the hook is not installed yet) ----

export function selfIdOf(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.selfId() ?? null);
}

export function peersOf(page: Page): Promise<string[] | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.peers() ?? null);
}

export function textOf(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.text() ?? null);
}

export function channelsOf(page: Page): Promise<Record<string, ChannelInfo[]> | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.channels() ?? null);
}

export function linkStatesOf(page: Page): Promise<Record<string, LinkStateInfo> | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.linkStates() ?? null);
}

export function linkStatsOf(page: Page, peer: string): Promise<LinkStatsInfo | null> {
  return page.evaluate((id) => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.linkStats(id) ?? null, peer);
}

export function signalingPhaseOf(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.signalingPhase() ?? null);
}

/** Self id, signaling phase, link states and open peers of `page`'s room, for the message of a failed wait. */
export function roomDebugStateOf(page: Page): Promise<Record<string, unknown>> {
  return page
    .evaluate(() => {
      const m = (window as unknown as { meshpad?: MeshpadDebug }).meshpad;
      return { self: m?.selfId() ?? null, signaling: m?.signalingPhase() ?? null, links: m?.linkStates() ?? null, peers: m?.peers() ?? null };
    })
    .catch((error: unknown) => ({ error: String(error) }));
}

/** Wait until `page` has an open link (code-sync open) to `peer`; polled in the page. */
export async function waitForPeer(page: Page, peer: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (id) => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.peers().includes(id) ?? false,
    peer,
    { polling: 10, timeout },
  );
}

/** Wait until the page has a self id, and return it. */
export async function waitForSelfId(page: Page): Promise<string> {
  await expect.poll(() => selfIdOf(page), { message: 'window.meshpad.selfId() is set' }).toMatch(/\S/);
  const id = await selfIdOf(page);
  if (id === null) throw new Error('selfId() became null again');
  return id;
}

// ---- UI ----

/** The CodeMirror content element inside <meshpad-editor> (Playwright CSS pierces open shadow roots). */
export const editorOf = (page: Page) => page.locator('meshpad-editor .cm-content');

/**
 * The document text as rendered by the editor: `.cm-line`s joined by newlines, without widgets
 * (remote-caret name labels, placeholders: CodeMirror renders widgets `contenteditable=false`).
 */
export function editorTextOf(page: Page): Promise<string> {
  return editorOf(page).evaluate((content) => {
    const lines = Array.from(content.querySelectorAll('.cm-line'));
    const clean = (el: Element): string => {
      const copy = el.cloneNode(true) as Element;
      copy.querySelectorAll('[contenteditable="false"]').forEach((w) => w.remove());
      return (copy.textContent ?? '').replace(/[\u200b\u2060]/g, '');
    };
    return lines.length > 0 ? lines.map(clean).join('\n') : clean(content);
  });
}

/** Both the document (`meshpad.text()`) and the editor's rendering of it become `text`. */
export async function expectText(peer: Peer, text: string): Promise<void> {
  await expect.poll(() => textOf(peer.page), { message: `${peer.name}: meshpad.text()` }).toBe(text);
  await expect(editorOf(peer.page)).toBeVisible();
  await expect.poll(() => editorTextOf(peer.page), { message: `${peer.name}: editor shows the text` }).toBe(text);
}

/** The peer list (role "list", accessible name "Peers"). */
export const peerListOf = (page: Page) => page.getByRole('list', { name: 'Peers' });

/** `data-peer-id` of every list item of the peer list. */
export function listedPeerIds(page: Page): Promise<string[]> {
  return peerListOf(page)
    .getByRole('listitem')
    .evaluateAll((items) => items.map((el) => el.getAttribute('data-peer-id') ?? ''));
}

/** Focus the editor and move the cursor to the end of the document. */
export async function focusEditorEnd(page: Page): Promise<void> {
  const editor = editorOf(page);
  // focus(), not click(): an autocompletion/tooltip overlay must not intercept a pointer click.
  await editor.focus();
  await page.keyboard.press('ControlOrMeta+End');
}

/**
 * From `/`, click "New room" and return the room URL (`/r/<roomId>#<secret>`). `origin` (e.g.
 * `http://127.0.0.1:8791`) opens another server than the configured baseURL.
 */
export async function createRoom(page: Page, origin?: string): Promise<{ url: string; roomId: string; secret: string }> {
  await page.goto(origin ? new URL('/', origin).toString() : '/');
  await page.getByRole('button', { name: 'New room' }).click();
  await expect(page).toHaveURL(ROOM_URL_RE);
  const url = page.url();
  const m = ROOM_URL_RE.exec(url);
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`not a room URL: ${url}`);
  return { url, roomId: m[1], secret: m[2] };
}

// ---- latency probes (timestamps taken inside the pages: performance.timeOrigin + performance.now(),
// comparable across pages of one browser; no CDP round trips in the measured interval) ----

interface ProbeWindow {
  meshpad?: MeshpadDebug;
  __mpLastKeydown?: number;
  __mpVisible?: Promise<number>;
}

/** Record in the page the time of every keydown (capture phase, before the editor sees it). */
export async function installKeydownClock(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    window.addEventListener('keydown', () => (w.__mpLastKeydown = performance.timeOrigin + performance.now()), { capture: true });
  });
}

export async function lastKeydownAt(page: Page): Promise<number> {
  const t = await page.evaluate(() => (window as unknown as ProbeWindow).__mpLastKeydown ?? null);
  if (t === null) throw new Error('no keydown recorded (installKeydownClock first)');
  return t;
}

/**
 * Arm a watcher in `page`: resolves with the time at which `meshpad.text() === want` and the
 * editor DOM was last mutated. Driven by a MutationObserver on the editor, plus a 4 ms poll as a
 * fallback. Call `visibleAt(page)` to get the timestamp.
 */
export async function armVisibleWatch(page: Page, want: string): Promise<void> {
  await page.evaluate((wantText) => {
    const w = window as unknown as ProbeWindow;
    w.__mpVisible = new Promise<number>((resolve) => {
      const host = document.querySelector('meshpad-editor');
      const content = host?.shadowRoot?.querySelector('.cm-content') ?? host?.querySelector('.cm-content') ?? null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const observer = new MutationObserver(() => check());
      const check = (): void => {
        if (w.meshpad?.text() === wantText) {
          observer.disconnect();
          clearTimeout(timer);
          resolve(performance.timeOrigin + performance.now());
        }
      };
      const poll = (): void => {
        check();
        timer = setTimeout(poll, 4);
      };
      if (content) observer.observe(content, { childList: true, subtree: true, characterData: true });
      poll();
    });
  }, want);
}

export async function visibleAt(page: Page, timeoutMs = 10_000): Promise<number> {
  return page.evaluate(
    (ms) =>
      Promise.race([
        (window as unknown as ProbeWindow).__mpVisible ?? Promise.reject(new Error('armVisibleWatch first')),
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`text not visible within ${ms} ms`)), ms)),
      ]),
    timeoutMs,
  );
}

/** The peer list item of `peer` (`li[data-peer-id]`, with `data-phase` and `data-transport`). */
export const peerItemOf = (page: Page, peer: string) => peerListOf(page).locator(`li[data-peer-id="${peer}"]`);

/** The room header's status line (`role="status"`), e.g. "signaling offline — retrying in 3 s". */
export const roomStatusOf = (page: Page) => page.locator('meshpad-room header [role="status"]');
