/** Helpers of e2e/reconnection.spec.ts: pairs of peers, in-page link watchers, lo control. */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Page } from '@playwright/test';
import { createRoom, editorTextOf, expect, focusEditorEnd, linkStatesOf, metric, peersOf, textOf, waitForPeer, waitForSelfId, type Peer } from './fixtures';


/** A and B (already opened) in one room on `origin` (default: the configured baseURL), connected. */
export async function connectPair(a: Peer, b: Peer, origin?: string): Promise<{ url: string; aId: string; bId: string }> {
  const room = await createRoom(a.page, origin);
  const aId = await waitForSelfId(a.page);
  await b.page.goto(room.url);
  const bId = await waitForSelfId(b.page);
  await waitForPeer(b.page, aId);
  await waitForPeer(a.page, bId);
  return { url: room.url, aId, bId };
}

/** Type at the end of the document through the editor (one input event: fast, for gaps). */
export async function typeAtEnd(peer: Peer, text: string): Promise<void> {
  await focusEditorEnd(peer.page);
  await peer.page.keyboard.insertText(text);
}

/** Both pages hold the same text, containing every one of `parts`; returns it. */
export async function expectConverged(peers: readonly Peer[], parts: readonly string[], timeout = 20_000): Promise<string> {
  const [first, ...rest] = peers;
  if (!first) throw new Error('no peers');
  try {
    await expect
    .poll(
      async () => {
        const texts = await Promise.all(peers.map((p) => textOf(p.page)));
        return texts.every((t) => t === texts[0]) && parts.every((part) => (texts[0] ?? '').includes(part));
      },
      { message: `${peers.map((p) => p.name).join(', ')} converge on a text containing ${JSON.stringify(parts)}`, timeout },
    )
    .toBe(true);
  } catch (error) {
    for (const p of peers) {
      metric(`not converged: ${p.name} text`, JSON.stringify(await textOf(p.page)), '');
      metric(`not converged: ${p.name} links`, JSON.stringify(await linkStatesOf(p.page)), '');
    }
    throw error;
  }
  const text = (await textOf(first.page)) ?? '';
  for (const p of rest) expect(await textOf(p.page), `${p.name}: meshpad.text()`).toBe(text);
  for (const p of peers) {
    await expect.poll(() => editorTextOf(p.page), { message: `${p.name}: the editor shows the text` }).toBe(text);
  }
  return text;
}

/** Whether `page` has an open link to `peer` right now. */
export async function isOpen(page: Page, peer: string): Promise<boolean> {
  return ((await peersOf(page)) ?? []).includes(peer);
}

/**
 * Record in the page every change of "`peer` is open" (sampled every 2 ms with in-page
 * timestamps), so that short gaps are seen even between two CDP round trips.
 */
export async function watchOpen(page: Page, peer: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { __mpOpen?: Array<[number, boolean]>; __mpOpenTimer?: number };
    const log: Array<[number, boolean]> = [];
    w.__mpOpen = log;
    let last: boolean | null = null;
    if (w.__mpOpenTimer) clearInterval(w.__mpOpenTimer);
    w.__mpOpenTimer = window.setInterval(() => {
      const open = window.meshpad?.peers().includes(id) ?? false;
      if (open !== last) log.push([Date.now(), open]);
      last = open;
    }, 2);
  }, peer);
}

export function openHistory(page: Page): Promise<Array<[number, boolean]>> {
  return page.evaluate(() => (window as unknown as { __mpOpen?: Array<[number, boolean]> }).__mpOpen ?? []);
}

export interface GapEdit {
  typedAt: number | null;
  appliedAt: number | null;
  openWhenApplied: boolean | null;
}
export type GapWindow = { __mpGapEdit?: GapEdit };

/**
 * Arm `page` to type `insert` into the focused editor (execCommand insertText: a real input
 * event CodeMirror handles like typing) as soon as its link to `peer` is seen down (1 ms
 * polling), and to record when the edit reached the document and whether the link was still down.
 */
export async function armEditOnDrop(page: Page, peer: string, insert: string): Promise<void> {
  await page.evaluate(
    ([id, text]) => {
      const w = window as unknown as GapWindow;
      const edit: GapEdit = { typedAt: null, appliedAt: null, openWhenApplied: null };
      w.__mpGapEdit = edit;
      const deadline = Date.now() + 15_000;
      const watch = window.setInterval(() => {
        if (Date.now() > deadline) window.clearInterval(watch);
        if (window.meshpad?.peers().includes(id) ?? true) return;
        window.clearInterval(watch);
        edit.typedAt = Date.now();
        document.execCommand('insertText', false, text);
        const applied = window.setInterval(() => {
          if (Date.now() > deadline) window.clearInterval(applied);
          if (!(window.meshpad?.text() ?? '').includes(text)) return;
          window.clearInterval(applied);
          edit.appliedAt = Date.now();
          edit.openWhenApplied = window.meshpad?.peers().includes(id) ?? null;
        }, 1);
      }, 1);
    },
    [peer, insert] as const,
  );
}

export function gapEditOf(page: Page): Promise<GapEdit> {
  return page.evaluate(() => (window as unknown as GapWindow).__mpGapEdit ?? { typedAt: null, appliedAt: null, openWhenApplied: null });
}

/** `ip` (iproute2), also where a non-root PATH lacks it. */
export function findIp(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'ip'), constants.X_OK);
      return join(dir, 'ip');
    } catch {
      /* next */
    }
  }
  throw new Error('`ip` (iproute2) not found on PATH, /usr/sbin or /sbin');
}

/**
 * Refuse to touch `lo` unless this process is in a private network namespace: `ip link set lo
 * down` on the host would cut every local service of the machine.
 */
export function assertPrivateNetns(): void {
  // /proc/self/net/dev lists the interfaces of this process's own network namespace.
  const interfaces = readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim())
    .filter((name): name is string => !!name);
  if (process.env.MESHPAD_NETNS !== '1' || interfaces.some((name) => name !== 'lo')) {
    throw new Error(
      `refusing to take lo down outside a loopback-only network namespace (MESHPAD_NETNS=${process.env.MESHPAD_NETNS}, ` +
        `interfaces: ${interfaces.join(', ')}); run through \`npm run test:e2e\``,
    );
  }
}


export function installWebSocketCounter(): void {
  const w = window as unknown as { __mpSockets?: number[]; WebSocket: typeof WebSocket };
  if (w.__mpSockets) return;
  w.__mpSockets = [];
  const Original = w.WebSocket;
  w.WebSocket = new Proxy(Original, {
    construct(target, args: ConstructorParameters<typeof WebSocket>) {
      if (String(args[0]).includes('/api/rooms/')) w.__mpSockets!.push(Date.now());
      return Reflect.construct(target, args) as WebSocket;
    },
  });
}

/** When (ms after `from`) the page constructed signaling WebSockets, up to `to`. */
export const socketTimesSince = (page: Page, from: number, to: number) =>
  page.evaluate(
    ([f, t]) => ((window as unknown as { __mpSockets?: number[] }).__mpSockets ?? []).filter((x) => x >= f && x < t).map((x) => x - f),
    [from, to] as const,
  );

