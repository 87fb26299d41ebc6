/**
 * ICE servers for new links, from the worker's `GET /api/ice-servers` (STUN, and TURN with
 * short-lived credentials minted per request, so no TURN secret is ever in the bundle).
 * Fetched before the first link and again when the credentials are about to expire; without
 * an answer, links use host candidates only (enough on one network).
 */
import type { Clock } from './clock.ts';
import type { IceSource } from './mesh.ts';
import { parseIceServersResponse, type IceServersResponse } from './protocol.ts';

/** Refetch this long before the credentials expire. */
export const ICE_REFRESH_MARGIN_MS = 5 * 60_000;
export const ICE_FETCH_TIMEOUT_MS = 3_000;
const MIN_REFRESH_MS = 30_000;

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export type IceStatus = 'loading' | 'ready' | 'unavailable';

export class IceConfig implements IceSource {
  private latest: IceServersResponse | null = null;
  private refreshTimer: unknown = null;
  private stopped = false;
  status: IceStatus = 'loading';
  error: string | null = null;

  constructor(
    private readonly url: string,
    private readonly fetchImpl: FetchLike,
    private readonly clock: Clock,
    private readonly onChange: () => void = () => {},
  ) {}

  current(): { iceServers: RTCIceServer[]; turn: boolean } {
    return { iceServers: this.latest?.iceServers ?? [], turn: this.latest?.turn ?? false };
  }

  /** Resolves when loaded or given up on (never rejects). */
  async load(): Promise<void> {
    const controller = new AbortController();
    const timeout = this.clock.setTimeout(() => controller.abort(), ICE_FETCH_TIMEOUT_MS);
    try {
      const response = await this.fetchImpl(this.url, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const parsed = parseIceServersResponse(await response.json());
      if (!parsed) throw new Error('malformed ICE server list');
      this.latest = parsed;
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      this.status = this.latest ? 'ready' : 'unavailable';
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.clock.clearTimeout(timeout);
    }
    this.scheduleRefresh();
    this.onChange();
  }

  stop(): void {
    this.stopped = true;
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer);
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    const expiresAt = this.latest?.expiresAt ?? 0;
    const wait = Math.max(MIN_REFRESH_MS, expiresAt - ICE_REFRESH_MARGIN_MS - this.clock.now());
    this.refreshTimer = this.clock.setTimeout(() => void this.load(), wait);
  }
}
