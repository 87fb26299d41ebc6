/** Helpers of the presence, cursor and AI specs: named peers in one room, and a fixture AI endpoint. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { createRoom, expect, selfIdOf, waitForPeer, waitForSelfId, type Peer } from './fixtures';

/** Give each peer's browser a stored display name (before it opens the room). */
export async function named(peers: Peer[], names: string[]): Promise<void> {
  await Promise.all(peers.map((p, i) => p.context.addInitScript((n) => localStorage.setItem('meshpad:name', n), names[i]!)));
}

/** The first peer creates a room, the others join; resolves with the room link and their ids once all are linked. */
export async function joinRoom(peers: Peer[]): Promise<{ url: string; ids: string[] }> {
  const [first, ...rest] = peers;
  const room = await createRoom(first!.page);
  for (const p of rest) await p.page.goto(room.url);
  const ids = await Promise.all(peers.map((p) => waitForSelfId(p.page)));
  for (const p of peers) for (const id of ids) if (id !== (await selfIdOf(p.page))) await waitForPeer(p.page, id);
  return { url: room.url, ids };
}

export async function joinAll(peers: Peer[]): Promise<string[]> {
  return (await joinRoom(peers)).ids;
}

/** An OpenAI-compatible streaming endpoint on loopback whose answers the test controls. */
export function fixtureEndpoint() {
  const pending: http.ServerResponse[] = [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(`${req.headers.authorization ?? ''} ${body}`);
      res.writeHead(200, { ...cors, 'content-type': 'text/event-stream' });
      pending.push(res);
    });
  });
  const say = (text: string) => pending.at(-1)!.write(`data: ${JSON.stringify({ choices: [{ delta: { content: text } }] })}\n\n`);
  const done = () => pending.at(-1)!.end('data: [DONE]\n\n');
  return {
    requests,
    say,
    done,
    waitForRequest: () => expect.poll(() => pending.length).toBeGreaterThan(0),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`))),
    close: () => new Promise<void>((resolve) => {
      for (const res of pending) res.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The API key configureAi stores: it must reach the endpoint and nothing else. */
export const E2E_API_KEY = 'sk-e2e-never-on-the-wire';

export async function configureAi(page: Page, endpoint: string): Promise<void> {
  await page.getByRole('button', { name: 'AI settings' }).click();
  await page.getByLabel('AI endpoint').fill(endpoint);
  await page.getByLabel('Model').fill('fixture-model');
  await page.getByLabel('API key').fill(E2E_API_KEY);
  await page.getByRole('button', { name: 'Save' }).click();
}

/** The newest answer in the AI panel. */
export const answerOf = (page: Page) => page.locator('meshpad-ai-panel article').first();
