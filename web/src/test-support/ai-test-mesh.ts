/** In-memory fakes for AiRoom tests: a full mesh delivering synchronously, and a controlled endpoint. */
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import type { MeshEvents } from '../net/mesh.ts';
import type { AiTransport } from '../ai/ai-room.ts';
import type { AiFetch, StreamResponse } from '../ai/openai-stream.ts';

/** Peer ids must look like real ones (transcripts carry them and are validated). */
export const pid = (name: string) => `${name}-peer-id`;

/** A full mesh of in-memory links; messages are delivered synchronously and in order. */
export class Net {
  readonly nodes = new Map<string, Node>();
  connect(a: string, b: string): void {
    [a, b] = [pid(a), pid(b)];
    this.nodes.get(a)!.links.add(b);
    this.nodes.get(b)!.links.add(a);
    this.nodes.get(a)!.open(b);
    this.nodes.get(b)!.open(a);
  }
}

export class Node extends Emitter<MeshEvents> implements AiTransport {
  readonly links = new Set<string>();
  readonly dropped: string[] = [];
  readonly wire: Array<{ to: string; data: Uint8Array }> = [];
  constructor(
    readonly id: string,
    private readonly net: Net,
  ) {
    super();
    net.nodes.set(id, this);
  }
  send(to: string, label: ChannelLabel, data: Uint8Array): void {
    if (!this.links.has(to)) return;
    this.wire.push({ to, data });
    this.net.nodes.get(to)!.deliver(this.id, label, data);
  }
  broadcast(label: ChannelLabel, data: Uint8Array): void {
    for (const to of this.links) this.send(to, label, data);
  }
  dropPeer(peer: string, detail: string): void {
    this.dropped.push(detail);
    this.links.delete(peer);
  }
  deliver(from: string, label: ChannelLabel, data: Uint8Array): void {
    this.emit('message', { peer: from, label, data });
  }
  open(peer: string): void {
    this.emit('peer-open', peer);
  }
}

/** A fake endpoint whose stream the test feeds chunk by chunk. */
export function controlledFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const requests: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  const fetchImpl: AiFetch = async (url, init) => {
    requests.push({ url, body: init.body, headers: init.headers });
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    return { ok: true, status: 200, body, text: async () => '' } satisfies StreamResponse;
  };
  const enc = new TextEncoder();
  return {
    fetchImpl,
    requests,
    say: (text: string) => controller.enqueue(enc.encode(`data: ${JSON.stringify({ choices: [{ delta: { content: text } }] })}\n\n`)),
    done: () => {
      controller.enqueue(enc.encode('data: [DONE]\n\n'));
      controller.close();
    },
  };
}

