/**
 * A `wrangler dev` of a test's own (signaling worker + static assets) that the test can kill and
 * restart, used where the shared Playwright web server will not do: killing signaling, serving
 * another build. Shared by the reconnection and offline specs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * `wrangler dev --local` (the signaling worker + static assets) on a port of the test's own, in
 * its own process group so that SIGKILL reaches wrangler's workerd children too. Without
 * `assetsDir` it runs `node scripts/serve.mjs` (./dist); with it, wrangler directly with
 * `--assets <dir>` (wrangler.toml's other [assets] settings, e.g. the SPA fallback, still apply).
 * Durable Object state lives in `persistDir`, so a restart on the same directory keeps rooms.
 */
export class OwnServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly origin: string;

  constructor(
    readonly port: number,
    private readonly persistDir: string,
  ) {
    this.origin = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Start (serving ./dist, or `assetsDir`) and wait until /api/health answers (bounded: 60 s). */
  async start(assetsDir?: string): Promise<void> {
    if (this.child) throw new Error('already running');
    if (await portAccepts(this.port)) throw new Error(`port ${this.port} is already in use`);
    const env = { ...process.env, PORT: String(this.port), WRANGLER_PERSIST_TO: this.persistDir, CI: 'true', WRANGLER_SEND_METRICS: 'false' };
    const child = assetsDir
      ? spawn(
          join(ROOT, 'node_modules', '.bin', 'wrangler'),
          ['dev', '--local', '--ip', '127.0.0.1', '--port', String(this.port), '--persist-to', this.persistDir, '--assets', assetsDir],
          { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env },
        )
      : spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs')], {
          cwd: ROOT,
          detached: true,
          stdio: ['ignore', 'ignore', 'pipe'],
          env,
        });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await expect
      .poll(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited early: ${stderr}`);
          try {
            return (await fetch(`${this.origin}/api/health`, { signal: AbortSignal.timeout(1_000) })).ok;
          } catch {
            return false;
          }
        },
        { message: `wrangler on ${this.origin} is healthy`, timeout: 60_000, intervals: [100] },
      )
      .toBe(true);
  }

  /** SIGKILL the whole process group; wait (bounded) until it is gone and the port refuses connections. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    this.child = null;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000))]);
    await expect
      .poll(() => portAccepts(this.port), { message: `port ${this.port} closed`, timeout: 10_000, intervals: [100] })
      .toBe(false);
  }
}

