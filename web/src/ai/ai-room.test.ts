import { describe, expect, it } from 'vitest';
import type { ChannelLabel } from '../net/channels.ts';
import { Emitter } from '../net/emitter.ts';
import type { MeshEvents } from '../net/mesh.ts';
import { decodeAiMessage, encodeAiMessage } from './ai-messages.ts';
import { FakeClock } from '../test-support/fake-clock.ts';
import { AiRoom, STALLED_AFTER_MS, type AiTransport } from './ai-room.ts';
import type { AiFetch, StreamResponse } from './openai-stream.ts';

/** A full mesh of in-memory links; messages are delivered synchronously and in order. */
class Net {
  readonly nodes = new Map<string, Node>();
  connect(a: string, b: string): void {
    [a, b] = [pid(a), pid(b)];
    this.nodes.get(a)!.links.add(b);
    this.nodes.get(b)!.links.add(a);
    this.nodes.get(a)!.open(b);
    this.nodes.get(b)!.open(a);
  }
}

class Node extends Emitter<MeshEvents> implements AiTransport {
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
function controlledFetch() {
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

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const settings = { endpoint: 'http://127.0.0.1:9/v1', model: 'test', apiKey: 'sk-secret-key' };

/** Peer ids must look like real ones (transcripts carry them and are validated). */
const pid = (name: string) => `${name}-peer-id`;

function room(net: Net, name: string, fetchImpl: AiFetch = controlledFetch().fetchImpl) {
  const node = new Node(pid(name), net);
  return { node, ai: new AiRoom(node, fetchImpl) };
}

describe('AiRoom', () => {
  it('streams the answer to every peer in order, and a late joiner gets the transcript', async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const a = room(net, 'a', endpoint.fetchImpl);
    const b = room(net, 'b');
    const c = room(net, 'c');
    net.connect('a', 'b');
    net.connect('a', 'c');
    net.connect('b', 'c');
    const answer = a.ai.ask('explain', 'const x = 1;', 'Ada', settings);
    await settle();
    endpoint.say('Hello');
    endpoint.say(', world');
    await settle();
    for (const r of [a, b, c]) expect(r.ai.list()[0]).toMatchObject({ asker: 'Ada', text: 'Hello, world', status: 'streaming' });
    const d = room(net, 'd');
    net.connect('b', 'd'); // d hears the transcript from b first
    net.connect('a', 'd'); // then the streamer's own
    endpoint.say('!');
    endpoint.done();
    expect((await answer).status).toBe('done');
    for (const r of [a, b, c, d]) expect({ node: r.node.id, dropped: r.node.dropped, ...r.ai.list()[0] }).toMatchObject({ node: r.node.id, dropped: [], text: "Hello, world!", status: "done" });
    expect(JSON.parse(endpoint.requests[0]!.body).messages[1].content).toContain('const x = 1;');
  });

  it('never puts the API key on the wire', async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const a = room(net, 'a', endpoint.fetchImpl);
    room(net, 'b');
    net.connect('a', 'b');
    const answer = a.ai.ask('q', '', 'Ada', settings);
    await settle();
    endpoint.say('x');
    endpoint.done();
    await answer;
    expect(endpoint.requests[0]!.headers.authorization).toBe('Bearer sk-secret-key');
    const wire = a.node.wire.map((w) => new TextDecoder().decode(w.data)).join('');
    expect(wire).not.toContain('sk-secret-key');
  });

  it('Stop ends the answer for everyone', async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const a = room(net, 'a', endpoint.fetchImpl);
    const b = room(net, 'b');
    net.connect('a', 'b');
    const answer = a.ai.ask('q', '', 'Ada', settings);
    await settle();
    endpoint.say('partial');
    await settle();
    a.ai.stop(a.ai.list()[0]!.id);
    expect((await answer).status).toBe('stopped');
    expect(b.ai.list()[0]).toMatchObject({ text: 'partial', status: 'stopped' });
  });

  it('shows a provider failure to every peer', async () => {
    const net = new Net();
    const a = room(net, 'a', async () => Promise.reject(new TypeError('Failed to fetch')));
    const b = room(net, 'b');
    net.connect('a', 'b');
    const answer = await a.ai.ask('q', '', 'Ada', settings);
    expect(answer.status).toBe('error');
    expect(b.ai.list()[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/cannot reach/) });
  });

  it('drops a peer that streams out of order or into an answer that is not its own', async () => {
    const net = new Net();
    const b = room(net, 'b');
    const c = room(net, 'c');
    net.connect('b', 'c');
    const start = encodeAiMessage({ v: 1, t: 'start', id: 'answer-0001', asker: 'Eve', prompt: 'p' });
    b.node.deliver(pid('c'), 'ai-stream', start);
    b.node.deliver(pid('c'), 'ai-stream', encodeAiMessage({ v: 1, t: 'chunk', id: 'answer-0001', seq: 1, text: 'skipped zero' }));
    expect(b.node.dropped).toEqual(['ai-stream: chunk out of order or not its own']);
    const x = room(net, 'x');
    x.node.deliver(pid('c'), 'ai-stream', start);
    x.node.deliver('mallory', 'ai-stream', encodeAiMessage({ v: 1, t: 'end', id: 'answer-0001', seq: 0, status: 'done', error: null }));
    expect(x.node.dropped).toEqual(['ai-stream: end out of order or not its own']);
    x.node.deliver('m2', 'ai-stream', new TextEncoder().encode('{"v":1,"t":"chunk"}'));
    expect(x.node.dropped.at(-1)).toBe('ai-stream: malformed message');
    expect(decodeAiMessage(start)).toMatchObject({ t: 'start' });
  });

  it('ends an answer as interrupted when its streamer stops sending, instead of spinning forever', () => {
    const net = new Net();
    const clock = new FakeClock();
    const node = new Node(pid('b'), net);
    const ai = new AiRoom(node, controlledFetch().fetchImpl, clock);
    node.deliver(pid('a'), 'ai-stream', encodeAiMessage({ v: 1, t: 'start', id: 'answer-0002', asker: 'Ada', prompt: 'p' }));
    node.deliver(pid('a'), 'ai-stream', encodeAiMessage({ v: 1, t: 'chunk', id: 'answer-0002', seq: 0, text: 'half an ans' }));
    clock.advance(STALLED_AFTER_MS / 2);
    node.deliver(pid('a'), 'ai-stream', encodeAiMessage({ v: 1, t: 'chunk', id: 'answer-0002', seq: 1, text: 'wer' }));
    clock.advance(STALLED_AFTER_MS - 1);
    expect(ai.list()[0]!.status).toBe('streaming');
    clock.advance(STALLED_AFTER_MS / 2);
    expect(ai.list()[0]).toMatchObject({ status: 'error', text: 'half an answer', error: expect.stringMatching(/interrupted/) });
  });
});
