import { describe, expect, it } from 'vitest';
import { FakeClock } from '../test-support/fake-clock.ts';
import { Net, Node, controlledFetch, pid } from '../test-support/ai-test-mesh.ts';
import type { PeerPresence } from '../sync/presence.ts';
import { AI_MESSAGE_VERSION, MAX_PROMPT_CHARS, encodeAiMessage } from './ai-messages.ts';
import { AiPeerService, MAX_RUNNING_ANSWERS } from './ai-peer-service.ts';
import { AiRoom, REQUEST_TIMEOUT_MS } from './ai-room.ts';
import type { AiFetch } from './openai-stream.ts';
import { chooseAiPeer } from './room-ai-peer.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const peerSettings = { endpoint: 'http://127.0.0.1:9/v1', model: 'shared-model', apiKey: 'sk-ai-peer-own-key' };

function browser(net: Net, name: string, clock?: FakeClock) {
  const node = new Node(pid(name), net);
  const noEndpoint: AiFetch = () => Promise.reject(new Error('no endpoint here'));
  return { node, ai: new AiRoom(node, noEndpoint, clock) };
}

function aiPeer(net: Net, name: string, fetchImpl: AiFetch) {
  const node = new Node(pid(name), net);
  const ai = new AiRoom(node, fetchImpl);
  return { node, ai, service: new AiPeerService(ai, peerSettings) };
}

const wireText = (node: Node) => node.wire.map((w) => new TextDecoder().decode(w.data)).join('\n');

describe('AiPeerService (the room AI peer)', () => {
  it("answers a browser's request with its own settings and streams it to every peer under the request's id", async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const ai = aiPeer(net, 'ai', endpoint.fetchImpl);
    const b = browser(net, 'b');
    const c = browser(net, 'c');
    net.connect('ai', 'b');
    net.connect('ai', 'c');
    net.connect('b', 'c');
    const id = b.ai.request(pid('ai'), 'explain', 'let y = 2;', 'Bob');
    expect(b.ai.list()[0]).toMatchObject({ id, status: 'streaming', prompt: 'explain' });
    await settle();
    endpoint.say('It declares');
    endpoint.say(' y.');
    endpoint.done();
    await settle();
    await settle();
    for (const r of [ai, b, c]) expect(r.ai.list()).toEqual([expect.objectContaining({ id, asker: 'Bob', text: 'It declares y.', status: 'done' })]);
    expect(endpoint.requests[0]!.headers.authorization).toBe('Bearer sk-ai-peer-own-key');
    const body = JSON.parse(endpoint.requests[0]!.body);
    expect(body.model).toBe('shared-model');
    expect(body.messages[1].content).toContain('let y = 2;');
    expect(wireText(b.node)).toContain('"t":"request"');
    expect(wireText(b.node)).not.toMatch(/sk-|apiKey|authorization/i);
    for (const r of [ai, b, c]) expect(r.node.dropped).toEqual([]);
    expect(ai.service.busy).toBe(0);
  });

  it('lets only the requester stop the answer', async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const ai = aiPeer(net, 'ai', endpoint.fetchImpl);
    const b = browser(net, 'b');
    const c = browser(net, 'c');
    net.connect('ai', 'b');
    net.connect('ai', 'c');
    const id = b.ai.request(pid('ai'), 'long', '', 'Bob');
    await settle();
    endpoint.say('partial');
    await settle();
    expect(c.ai.canStop(c.ai.list()[0]!)).toBe(false);
    c.node.send(pid('ai'), 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'stop', id }));
    await settle();
    expect(ai.ai.list()[0]!.status).toBe('streaming');
    expect(b.ai.canStop(b.ai.list()[0]!)).toBe(true);
    b.ai.stop(id);
    await settle();
    await settle();
    for (const r of [ai, b, c]) expect(r.ai.list()[0]).toMatchObject({ id, text: 'partial', status: 'stopped' });
  });

  it('refuses a second request from the same peer while one runs, and more than MAX_RUNNING_ANSWERS in all, telling the requester alone', async () => {
    const net = new Net();
    const endpoint = controlledFetch();
    const ai = aiPeer(net, 'ai', endpoint.fetchImpl);
    const askers = Array.from({ length: MAX_RUNNING_ANSWERS + 1 }, (_, i) => browser(net, `p${i}`));
    for (const a of askers) net.connect('ai', a.node.id.replace('-peer-id', ''));
    askers[0]!.ai.request(pid('ai'), 'first', '', 'P0');
    const again = askers[0]!.ai.request(pid('ai'), 'again', '', 'P0');
    expect(askers[0]!.ai.list().find((a) => a.id === again)).toMatchObject({ status: 'error', error: expect.stringMatching(/previous question/) });
    for (let i = 1; i < MAX_RUNNING_ANSWERS; i++) askers[i]!.ai.request(pid('ai'), `q${i}`, '', `P${i}`);
    const over = askers[MAX_RUNNING_ANSWERS]!.ai.request(pid('ai'), 'one too many', '', 'Late');
    expect(askers[MAX_RUNNING_ANSWERS]!.ai.list().find((a) => a.id === over)).toMatchObject({ status: 'error', error: expect.stringMatching(/busy/) });
    expect(ai.service.busy).toBe(MAX_RUNNING_ANSWERS);
    // Refusals are not stored or broadcast: the AI peer and the others list only what runs.
    expect(ai.ai.list().map((a) => a.prompt)).toEqual(['first', ...Array.from({ length: MAX_RUNNING_ANSWERS - 1 }, (_, i) => `q${i + 1}`)]);
    expect(askers[1]!.ai.list().some((a) => a.id === again || a.id === over)).toBe(false);
    for (const a of askers) expect(a.node.dropped).toEqual([]);
  });

  it('drops a peer whose request is malformed (an over-long prompt)', () => {
    const net = new Net();
    const ai = aiPeer(net, 'ai', controlledFetch().fetchImpl);
    ai.node.deliver(pid('m'), 'ai-stream', encodeAiMessage({ v: 1, t: 'request', id: 'request-0001', asker: 'M', prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1), context: '' }));
    expect(ai.node.dropped).toEqual(['ai-stream: malformed message']);
    expect(ai.ai.list()).toEqual([]);
  });

  it('fails a request plainly when no AI peer starts answering in time (a peer that is not the AI peer ignores it)', () => {
    const net = new Net();
    const clock = new FakeClock();
    const b = browser(net, 'b', clock);
    const notAi = browser(net, 'x');
    net.connect('b', 'x');
    b.ai.request(pid('x'), 'anyone?', '', 'Bob');
    clock.advance(REQUEST_TIMEOUT_MS - 1);
    expect(b.ai.list()[0]!.status).toBe('streaming');
    clock.advance(1);
    expect(b.ai.list()[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/did not answer/) });
    expect(notAi.ai.list()).toEqual([]);
    expect(notAi.node.dropped).toEqual([]);
  });
});

describe('chooseAiPeer', () => {
  const presence = (peer: string, extra: Partial<PeerPresence>): PeerPresence => ({
    v: 1,
    name: peer,
    color: '#000000',
    status: 'active',
    client: 1,
    peer,
    lastHeard: 0,
    lost: false,
    ...extra,
  });
  it('picks the same live AI peer everywhere, or none', () => {
    expect(chooseAiPeer([{ peer: 'b', presence: presence('b', {}) }])).toBeNull();
    const peers = [
      { peer: 'c', presence: presence('c', { ai: { model: 'm-c' } }) },
      { peer: 'a', presence: presence('a', { ai: { model: 'm-a' }, lost: true }) },
      { peer: 'b', presence: presence('b', { ai: { model: 'm-b' } }) },
      { peer: 'd', presence: null },
    ];
    expect(chooseAiPeer(peers)).toEqual({ peer: 'b', model: 'm-b', name: 'b' });
    expect(chooseAiPeer([...peers].reverse())).toEqual({ peer: 'b', model: 'm-b', name: 'b' });
  });
});
