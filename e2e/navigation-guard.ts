/**
 * One bounded retry for a navigation whose page never finishes loading because a subresource
 * request got no answer. Seen once in ~130 e2e runs' worth of navigations (2026-12-07): on a
 * first visit (no service worker yet), `/assets/rolldown-runtime-*.js` had no response from
 * `wrangler dev` after 60 s while the three requests beside it took < 100 ms; 750 further loads
 * (3 browsers at once, a CPU hog beside) did not repeat it. A user would reload; so do we, once,
 * and say so on the test's output, naming what was pending. A navigation that stalls again fails
 * the test, as does any stall on a page a service worker of ours controls (our code, not the dev
 * server's, may be what stalls there).
 */
import { errors, type Page, type Request, type Response } from '@playwright/test';

export const NAVIGATION_STALL_MS = 20_000;

type GotoOptions = Parameters<Page['goto']>[1];
type ReloadOptions = Parameters<Page['reload']>[0];

export function guardNavigations(page: Page, name: string): void {
  const pending = new Set<Request>();
  page.on('request', (r) => pending.add(r));
  page.on('requestfinished', (r) => pending.delete(r));
  page.on('requestfailed', (r) => pending.delete(r));
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);

  const frameOf = (r: Request) => {
    try {
      return r.frame();
    } catch {
      return null; // a service worker's request
    }
  };

  async function guarded(
    what: string,
    timeout: number | undefined,
    attempt: (timeout: number | undefined) => Promise<Response | null>,
    again: (timeout: number | undefined) => Promise<Response | null>,
  ): Promise<Response | null> {
    const controlled = await page.evaluate(() => !!navigator.serviceWorker?.controller).catch(() => false);
    if (controlled || (timeout !== undefined && timeout > 0 && timeout <= NAVIGATION_STALL_MS)) return attempt(timeout);
    pending.clear();
    try {
      return await attempt(NAVIGATION_STALL_MS);
    } catch (error) {
      const stalled = [...pending].filter((r) => frameOf(r) === page.mainFrame()).map((r) => r.url());
      if (!(error instanceof errors.TimeoutError) || stalled.length === 0) throw error;
      console.log(`[page ${name}] navigation stalled: ${what} had no answer in ${NAVIGATION_STALL_MS / 1000} s from ${stalled.join(', ')}; navigating once more`);
      return again(timeout ? timeout - NAVIGATION_STALL_MS : timeout);
    }
  }

  page.goto = (url: string, options?: GotoOptions) => {
    const go = (timeout: number | undefined) => goto(url, { ...options, timeout });
    return guarded(url, options?.timeout, go, go);
  };
  page.reload = (options?: ReloadOptions) => {
    const url = page.url();
    return guarded(url, options?.timeout, (timeout) => reload({ ...options, timeout }), (timeout) => goto(url, { ...options, timeout }));
  };
}
