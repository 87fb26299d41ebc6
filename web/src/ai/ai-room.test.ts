import { describe, expect, it } from 'vitest';
import { decodeAiMessage, encodeAiMessage } from './ai-messages.ts';
import { FakeClock } from '../test-support/fake-clock.ts';
import { AiRoom, MAX_KEPT_ANSWERS, MAX_STREAMING_PER_PEER, STALLED_AFTER_MS } from './ai-room.ts';
import type { AiFetch } from './openai-stream.ts';
import { Net, Node, controlledFetch, pid } from '../test-support/ai-test-mesh.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const settings = { endpoint: 'http://127.0.0.1:9/v1', model: 'test', apiKey: 'sk-secret-key' };


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

  it(`drops a peer that streams more than ${MAX_STREAMING_PER_PEER} answers at once`, () => {
    const net = new Net();
    const b = room(net, 'b');
    const start = (i: number) => encodeAiMessage({ v: 1, t: 'start', id: `flood-${String(i).padStart(4, '0')}`, asker: 'Eve', prompt: 'p' });
    for (let i = 0; i < MAX_STREAMING_PER_PEER; i++) b.node.deliver(pid('c'), 'ai-stream', start(i));
    expect(b.node.dropped).toEqual([]);
    b.node.deliver(pid('c'), 'ai-stream', start(MAX_STREAMING_PER_PEER));
    expect(b.node.dropped).toEqual([`ai-stream: more than ${MAX_STREAMING_PER_PEER} answers at once`]);
    expect(b.ai.list()).toHaveLength(MAX_STREAMING_PER_PEER);
  });

  it(`never streams more than ${MAX_STREAMING_PER_PEER} answers at once itself: the next ask fails locally`, async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const a = room(net, 'a', endpoint.fetchImpl);
    const b = room(net, 'b');
    net.connect('a', 'b');
    for (let i = 0; i < MAX_STREAMING_PER_PEER; i++) void a.ai.ask(`q${i}`, '', 'Ada', settings);
    const extra = await a.ai.ask('one more', '', 'Ada', settings);
    expect(extra).toMatchObject({ status: 'error', prompt: 'one more' });
    await settle();
    expect(a.node.dropped).toEqual([]);
    expect(b.node.dropped).toEqual([]);
    expect(b.ai.list().map((x) => x.prompt)).not.toContain('one more');
    expect(b.ai.list()).toHaveLength(MAX_STREAMING_PER_PEER);
  });

  it(`keeps the newest ${MAX_KEPT_ANSWERS} answers, however many finished answers peers send`, () => {
    const net = new Net();
    const b = room(net, 'b');
    const id = (i: number) => `kept-${String(i).padStart(5, '0')}`;
    for (let i = 0; i < MAX_KEPT_ANSWERS + 30; i++) {
      b.node.deliver(pid('c'), 'ai-stream', encodeAiMessage({ v: 1, t: 'start', id: id(i), asker: 'Eve', prompt: 'p' }));
      b.node.deliver(pid('c'), 'ai-stream', encodeAiMessage({ v: 1, t: 'end', id: id(i), seq: 0, status: 'done', error: null }));
    }
    expect(b.node.dropped).toEqual([]);
    const ids = b.ai.list().map((a) => a.id);
    expect(ids).toHaveLength(MAX_KEPT_ANSWERS);
    expect(ids[0]).toBe(id(30));
    expect(ids.at(-1)).toBe(id(MAX_KEPT_ANSWERS + 29));
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
