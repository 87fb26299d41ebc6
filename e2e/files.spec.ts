/**
 * File transfers between real pages (issue 8): the "Send file" picker, drop and paste; Accept /
 * Decline; progress; Cancel from either side; Save of a download whose SHA-256 equals the
 * original; typing while a transfer fills the link. Files of a few MB (heavy sizes are the bench's).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { createRoom, editorOf, expect, metric, roomDebugStateOf, selfIdOf, test, textOf, waitForPeer, waitForSelfId, type MeshpadDebug, type Peer } from './fixtures';

type Transfer = ReturnType<MeshpadDebug['files']>[number];

async function joinAll(peers: Peer[]): Promise<string[]> {
  const [first, ...rest] = peers;
  const room = await createRoom(first!.page);
  for (const p of rest) await p.page.goto(room.url);
  const ids = await Promise.all(peers.map((p) => waitForSelfId(p.page)));
  for (const p of peers) for (const id of ids) if (id !== (await selfIdOf(p.page))) await waitForPeer(p.page, id);
  return ids;
}

const transfersOf = (page: Page): Promise<Transfer[]> =>
  page.evaluate(() => (window as unknown as { meshpad?: MeshpadDebug }).meshpad?.files() ?? []);

/** The transfer row of `name` in the files panel (a list item named "<file> to/from <peer>"). */
const rowOf = (page: Page, name: string) => page.getByRole('listitem').filter({ hasText: name });

/** Creates `megabytes` of random bytes inside the page and drops them on it as `name`; returns their SHA-256. */
async function dropRandomFile(page: Page, name: string, megabytes: number, how: 'drop' | 'paste'): Promise<string> {
  return page.evaluate(
    async ({ name, megabytes, how }) => {
      const bytes = new Uint8Array(megabytes * 1_000_000);
      for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
      const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
      if (how === 'drop') {
        document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      } else {
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }
      return hash;
    },
    { name, megabytes, how },
  );
}

test('Send file: a random file arrives, is verified, and Save downloads the same bytes', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  await joinAll([a, b]);
  const buffer = randomBytes(3 * 1024 * 1024 + 4321);
  const sha = createHash('sha256').update(buffer).digest('hex');

  await a.page.getByLabel('Send file', { exact: true }).setInputFiles({ name: 'random.bin', mimeType: 'application/octet-stream', buffer });
  const offer = rowOf(b.page, 'random.bin');
  await expect(offer).toHaveAttribute('data-status', 'offered');
  await expect(offer).toContainText(`from`);
  await expect(offer).toContainText('0 B of 3.2 MB');
  expect((await transfersOf(b.page))[0]?.bytesDone).toBe(0);

  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(offer).toHaveAttribute('data-status', 'verified');
  await expect(offer.locator('[data-verified]')).toHaveText('✓ verified');
  const bar = offer.getByRole('progressbar');
  await expect(bar).toHaveAttribute('max', String(buffer.length));
  await expect(bar).toHaveAttribute('value', String(buffer.length));
  await expect(rowOf(a.page, 'random.bin')).toHaveAttribute('data-status', 'delivered');
  await expect(rowOf(a.page, 'random.bin').locator('[data-verified]')).toBeVisible();
  // Checked and written off the main thread: the block worker runs (it stops at once where it cannot write).
  expect(b.page.workers().map((w) => w.url())).toContainEqual(expect.stringContaining('block-worker'));

  const [download] = await Promise.all([b.page.waitForEvent('download'), offer.getByRole('button', { name: 'Save' }).click()]);
  expect(download.suggestedFilename()).toBe('random.bin');
  const saved = await readFile(await download.path());
  expect(saved.length).toBe(buffer.length);
  expect(createHash('sha256').update(saved).digest('hex')).toBe(sha);
});

test('Decline: nothing is received and the sender sees it declined', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  await joinAll([a, b]);
  await a.page.getByLabel('Send file', { exact: true }).setInputFiles({ name: 'unwanted.txt', mimeType: 'text/plain', buffer: Buffer.from('no thanks') });
  await rowOf(b.page, 'unwanted.txt').getByRole('button', { name: 'Decline' }).click();
  await expect(rowOf(b.page, 'unwanted.txt')).toHaveAttribute('data-status', 'declined');
  await expect(rowOf(a.page, 'unwanted.txt')).toHaveAttribute('data-status', 'declined');
  await expect(rowOf(a.page, 'unwanted.txt')).toContainText('declined');
});

test('Typing during a transfer reaches the other page; the receiver cancels mid-way and both sides say so', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  await joinAll([a, b]);
  await dropRandomFile(a.page, 'dropped.bin', 48, 'drop');
  const row = rowOf(b.page, 'dropped.bin');
  await row.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await transfersOf(b.page))[0]?.bytesDone ?? 0).toBeGreaterThan(0);

  await editorOf(a.page).focus();
  await a.page.keyboard.type('typed while sending');
  await expect.poll(() => textOf(b.page), { timeout: 5_000 }).toBe('typed while sending');
  const during = (await transfersOf(b.page))[0]!;
  expect(during.status, 'the transfer was still running when the text arrived').toBe('receiving');
  expect(during.bytesDone).toBeLessThan(during.size);
  await expect(row.getByRole('progressbar')).toHaveAttribute('max', String(during.size));
  await expect(row.locator('[data-progress]')).toContainText(/of 48 MB/);

  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toHaveAttribute('data-status', 'cancelled');
  await expect(rowOf(a.page, 'dropped.bin')).toHaveAttribute('data-status', 'cancelled');
  await expect(rowOf(a.page, 'dropped.bin')).toContainText('cancelled by the receiver');
});

test('The sender cancels mid-way (file pasted): both sides say so', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  await joinAll([a, b]);
  await dropRandomFile(a.page, 'pasted.bin', 48, 'paste');
  const row = rowOf(b.page, 'pasted.bin');
  await row.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await transfersOf(a.page))[0]?.bytesDone ?? 0).toBeGreaterThan(0);
  const sending = rowOf(a.page, 'pasted.bin');
  await expect(sending).toHaveAttribute('data-status', /sending|sent/);
  await sending.getByRole('button', { name: 'Cancel' }).click();
  await expect(sending).toHaveAttribute('data-status', 'cancelled');
  await expect(row).toHaveAttribute('data-status', 'cancelled');
  await expect(row).toContainText('cancelled by the sender');
});

test('One file to three peers at once: each receives it verified', async ({ openPeers }) => {
  const peers = await openPeers(4);
  const [a, ...receivers] = peers;
  await joinAll(peers);
  const buffer = randomBytes(2 * 1024 * 1024 + 99);
  await a!.page.getByLabel('Send file', { exact: true }).setInputFiles({ name: 'team.bin', mimeType: 'application/octet-stream', buffer });
  for (const r of receivers) await rowOf(r.page, 'team.bin').getByRole('button', { name: 'Accept' }).click();
  for (const r of receivers) await expect(rowOf(r.page, 'team.bin')).toHaveAttribute('data-status', 'verified');
  await expect(rowOf(a!.page, 'team.bin').and(a!.page.locator('[data-status="delivered"]'))).toHaveCount(3);
  const [download] = await Promise.all([receivers[2]!.page.waitForEvent('download'), rowOf(receivers[2]!.page, 'team.bin').getByRole('button', { name: 'Save' }).click()]);
  expect(createHash('sha256').update(await readFile(await download.path())).digest('hex')).toBe(createHash('sha256').update(buffer).digest('hex'));
});

test('Link drop mid-transfer: the transfer completes after the reconnect with at most 10 % sent twice', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const [, bId] = await joinAll([a, b]);
  const sha = await dropRandomFile(a.page, 'resume.bin', 32, 'drop');
  await rowOf(b.page, 'resume.bin').getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await transfersOf(b.page))[0]?.bytesDone ?? 0, { timeout: 20_000 }).toBeGreaterThan(4_000_000);
  const closed = await a.page.evaluate((peer) => (window as unknown as { meshpad: MeshpadDebug }).meshpad.closeConnection(peer), bId!);
  expect(closed).toBe(true);
  const atDrop = (await transfersOf(b.page))[0]!;
  expect(atDrop.bytesDone, 'the link dropped mid-way').toBeLessThan(atDrop.size);
  await expect(rowOf(b.page, 'resume.bin')).toHaveAttribute('data-status', 'verified', { timeout: 30_000 });
  await expect(rowOf(a.page, 'resume.bin')).toHaveAttribute('data-status', 'delivered');
  const sent = (await transfersOf(a.page)).find((t) => t.name === 'resume.bin')!;
  expect(sent.hash).toBe(sha);
  metric('files: link drop mid-transfer, bytes sent twice', sent.sentBytes! - sent.size, 'B');
  expect(sent.sentBytes! - sent.size, `resent ${sent.sentBytes! - sent.size} bytes`).toBeLessThanOrEqual(0.1 * sent.size);
});

test('Receiver reload mid-transfer: it resumes from the blocks it holds and completes', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  await joinAll([a, b]);
  const sha = await dropRandomFile(a.page, 'reload.bin', 32, 'drop');
  await rowOf(b.page, 'reload.bin').getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await transfersOf(b.page))[0]?.bytesDone ?? 0, { timeout: 20_000 }).toBeGreaterThan(8_000_000);
  await b.page.reload();
  const restored = rowOf(b.page, 'reload.bin');
  await expect(restored).toBeVisible();
  const resumedAt = (await transfersOf(b.page))[0]!.bytesDone;
  expect(resumedAt, 'blocks stored before the reload are kept').toBeGreaterThan(0);
  await expect(restored).toHaveAttribute('data-status', 'verified', { timeout: 30_000 });
  const out = (await transfersOf(a.page)).filter((t) => t.name === 'reload.bin');
  const total = out.reduce((sum, t) => sum + (t.sentBytes ?? 0), 0);
  metric('files: receiver reload, held after reload', resumedAt, 'B');
  metric('files: receiver reload, bytes sent twice', total - out[0]!.size, 'B');
  // Lost on reload: what was in flight plus blocks received but not yet written to OPFS.
  expect(total - out[0]!.size, 'bytes sent twice (never from zero)').toBeLessThanOrEqual(0.25 * out[0]!.size);
  const [download] = await Promise.all([b.page.waitForEvent('download'), restored.getByRole('button', { name: 'Save' }).click()]);
  expect(createHash('sha256').update(await readFile(await download.path())).digest('hex')).toBe(sha);
});

test('Send to one peer from the peer list: only that peer gets the offer', async ({ openPeers }) => {
  const peers = await openPeers(3);
  const [a, b, c] = peers;
  const [, bId] = await joinAll(peers);
  const [chooser] = await Promise.all([
    a!.page.waitForEvent('filechooser'),
    a!.page.getByRole('list', { name: 'Peers' }).locator(`li[data-peer-id="${bId}"]`).getByRole('button', { name: /^Send a file to / }).click(),
  ]);
  await chooser.setFiles({ name: 'only-b.txt', mimeType: 'text/plain', buffer: Buffer.from('for B only') });
  await expect(rowOf(b!.page, 'only-b.txt')).toHaveAttribute('data-status', 'offered');
  await expect(rowOf(a!.page, 'only-b.txt')).toHaveCount(1);
  await rowOf(b!.page, 'only-b.txt').getByRole('button', { name: 'Accept' }).click();
  await expect(rowOf(b!.page, 'only-b.txt')).toHaveAttribute('data-status', 'verified');
  expect(await transfersOf(c!.page)).toEqual([]);
});

/**
 * Drops `megabytes` of bytes that depend only on `seed` (xorshift32), so that after a reload the
 * page can "choose the same file again"; returns their SHA-256.
 */
async function dropSeededFile(page: Page, name: string, megabytes: number, seed: number): Promise<string> {
  return page.evaluate(
    async ({ name, megabytes, seed }) => {
      const words = new Uint32Array((megabytes * 1_000_000) / 4);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      const bytes = new Uint8Array(words.buffer);
      const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      return hash;
    },
    { name, megabytes, seed },
  );
}

/** Each peer's room state and transfers, for the message of a failed wait. */
async function filesStateOf(peers: readonly Peer[]): Promise<string> {
  const lines: string[] = [];
  for (const p of peers) {
    lines.push(`${p.name}: ${JSON.stringify({ ...(await roomDebugStateOf(p.page)), files: await transfersOf(p.page).catch((error: unknown) => String(error)) })}`);
  }
  return lines.join('\n');
}

/** Counts, in `page`, the file bytes of every chunk it receives from now on (frame tap), across the sender's reloads. */
async function countReceivedChunkBytes(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const w = window as unknown as { meshpad: MeshpadDebug; __chunkBytes: number };
    w.__chunkBytes = 0;
    // A chunk message: kind 0x01 (or 0x03: one that asks for an ack), 12 header bytes, then file bytes.
    w.meshpad.onFrame((direction, label, data) => {
      if (direction === 'received' && label === 'files' && (data[0] === 1 || data[0] === 3)) w.__chunkBytes += data.length - 13;
    });
  });
  return () => page.evaluate(() => (window as unknown as { __chunkBytes: number }).__chunkBytes);
}

test('Sender reload mid-transfer: choosing the same file again resumes from the blocks the receiver holds', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const [, bId] = await joinAll([a, b]);
  const received = await countReceivedChunkBytes(b.page);
  const size = 32_000_000;
  const sha = await dropSeededFile(a.page, 'sender-reload.bin', size / 1_000_000, 0x5eed);
  await rowOf(b.page, 'sender-reload.bin').getByRole('button', { name: 'Accept' }).click();
  await expect.poll(async () => (await transfersOf(b.page))[0]?.bytesDone ?? 0, { timeout: 20_000 }).toBeGreaterThan(8_000_000);

  await a.page.reload();
  await waitForSelfId(a.page);
  await waitForPeer(a.page, bId!);
  const before = await received();
  expect(before, 'the sender reloaded mid-way').toBeLessThan(size);
  const droppedAt = Date.now();
  expect(await dropSeededFile(a.page, 'sender-reload.bin', size / 1_000_000, 0x5eed)).toBe(sha);

  // No second Accept: the receiver knows the content (same SHA-256) and resumes by itself.
  const row = rowOf(b.page, 'sender-reload.bin');
  await expect(row)
    .toHaveAttribute('data-status', 'verified', { timeout: 30_000 })
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await filesStateOf([a, b])}`);
    });
  metric('files: sender reload, dropped again → verified', Date.now() - droppedAt, 'ms');
  await expect(row).toHaveCount(1);
  await expect(rowOf(a.page, 'sender-reload.bin')).toHaveAttribute('data-status', 'delivered');
  const total = await received();
  metric('files: sender reload, received before the reload', before, 'B');
  metric('files: sender reload, bytes sent twice', total - size, 'B');
  expect(total - size, `${total - size} bytes arrived twice`).toBeLessThanOrEqual(0.1 * size);
  expect(total, 'the resumed sender sent only what was missing').toBeLessThan(before + size - 4_000_000);
  const [download] = await Promise.all([b.page.waitForEvent('download'), row.getByRole('button', { name: 'Save' }).click()]);
  expect(createHash('sha256').update(await readFile(await download.path())).digest('hex')).toBe(sha);
});

test('An offer not yet answered survives the receiver reload; Accept afterwards receives the file', async ({ openPeers }) => {
  const [a, b] = await openPeers(2);
  if (!a || !b) throw new Error('no peers');
  const [aId, bId] = await joinAll([a, b]);
  const buffer = randomBytes(2 * 1024 * 1024 + 17);
  // To B only: a room-wide offer would also be made again to B's new page, which would hide a lost offer.
  const [chooser] = await Promise.all([
    a.page.waitForEvent('filechooser'),
    a.page.getByRole('list', { name: 'Peers' }).locator(`li[data-peer-id="${bId}"]`).getByRole('button', { name: /^Send a file to / }).click(),
  ]);
  await chooser.setFiles({ name: 'answer-later.bin', mimeType: 'application/octet-stream', buffer });
  await expect(rowOf(b.page, 'answer-later.bin')).toHaveAttribute('data-status', 'offered');

  await b.page.reload();
  const newBId = await waitForSelfId(b.page);
  expect(newBId).not.toBe(bId);
  const offer = rowOf(b.page, 'answer-later.bin');
  await expect(offer).toHaveAttribute('data-status', 'offered');
  await expect(offer).toContainText('from');
  await waitForPeer(b.page, aId!);
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(offer).toHaveAttribute('data-status', 'verified');
  await expect(rowOf(a.page, 'answer-later.bin').and(a.page.locator('[data-status="delivered"]'))).toHaveCount(1);
  const [download] = await Promise.all([b.page.waitForEvent('download'), offer.getByRole('button', { name: 'Save' }).click()]);
  expect(createHash('sha256').update(await readFile(await download.path())).digest('hex')).toBe(createHash('sha256').update(buffer).digest('hex'));
});
