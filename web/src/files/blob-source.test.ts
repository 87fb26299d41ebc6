import { describe, expect, it } from 'vitest';
import { blobSource } from './blob-source.ts';

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** What blobSource uses of a Blob. */
interface FakeBlob {
  readonly size: number;
  slice(start?: number): FakeBlob;
  stream(): ReadableStream<Uint8Array>;
}

/** A Blob whose streams deliver small, unaligned chunks and record where each was opened. */
function chunkyBlob(content: Uint8Array, chunk: number) {
  const opened: number[] = [];
  const from = (start: number): FakeBlob => ({
    size: content.length - start,
    slice: (more = 0) => from(start + more),
    stream: () => {
      opened.push(start);
      let at = start;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= content.length) return controller.close();
          controller.enqueue(content.slice(at, at + chunk));
          at += chunk;
        },
      });
    },
  });
  return { blob: from(0) as unknown as Blob, opened };
}

describe('blobSource', () => {
  const content = bytes(10_000);

  it('reads blocks in order through one stream whatever its chunk sizes', async () => {
    const { blob, opened } = chunkyBlob(content, 777);
    const source = blobSource(blob);
    expect(source.size).toBe(10_000);
    for (let offset = 0; offset < 10_000; offset += 4096) {
      const length = Math.min(4096, 10_000 - offset);
      expect(await source.read(offset, length)).toEqual(content.subarray(offset, offset + length));
    }
    expect(opened).toEqual([0]);
  });

  it('serves reads asked for at once in the order asked, and reopens at another offset', async () => {
    const { blob, opened } = chunkyBlob(content, 1000);
    const source = blobSource(blob);
    const [a, b, c] = await Promise.all([source.read(0, 3000), source.read(3000, 3000), source.read(1000, 500)]);
    expect(a).toEqual(content.subarray(0, 3000));
    expect(b).toEqual(content.subarray(3000, 6000));
    expect(c).toEqual(content.subarray(1000, 1500));
    expect(await source.read(1500, 100)).toEqual(content.subarray(1500, 1600));
    expect(opened).toEqual([0, 1000]);
  });

  it('returns fewer bytes where the blob ends (the sender then reports the file changed)', async () => {
    const source = blobSource(new Blob([content as Uint8Array<ArrayBuffer>]));
    expect((await source.read(9_000, 4096)).length).toBe(1000);
  });

  it('rejects a read whose stream fails, and the next read opens a new stream', async () => {
    let fail = true;
    const real = new Blob([content as Uint8Array<ArrayBuffer>]);
    const blob = {
      size: real.size,
      slice: (start = 0) => ({
        stream: () =>
          fail
            ? new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('NotReadableError')) })
            : real.slice(start).stream(),
      }),
    } as unknown as Blob;
    const source = blobSource(blob);
    await expect(source.read(0, 100)).rejects.toThrow('NotReadableError');
    fail = false;
    expect(await source.read(0, 100)).toEqual(content.subarray(0, 100));
  });
});
