import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from './protocol.ts';
import { SignalingClient, signalingUrl, type SocketLike } from './signaling-client.ts';

type Handler = (event: never) => void;

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: number | null = null;
  private readonly handlers = new Map<string, Handler[]>();
  addEventListener(type: string, listener: Handler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
  }
  fire(type: string, event: unknown = {}): void {
    if (type === 'open') this.readyState = 1;
    for (const handler of this.handlers.get(type) ?? []) (handler as (e: unknown) => void)(event);
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const client = new SignalingClient('ws://x/api/rooms/r/ws', () => {
    const socket = new FakeSocket();
    sockets.push(socket);
    return socket;
  });
  const seen: Array<[string, unknown]> = [];
  for (const event of ['state', 'welcome', 'peer-joined', 'peer-left', 'signal', 'server-error', 'protocol-error', 'closed'] as const) {
    client.on(event, (payload) => seen.push([event, payload]));
  }
  return { client, sockets, seen };
}

const PEER = 'AbCdEfGh12345678';

describe('SignalingClient', () => {
  it('builds ws/wss URLs from the page origin', () => {
    expect(signalingUrl('http://127.0.0.1:8787', 'R'.repeat(22))).toBe(`ws://127.0.0.1:8787/api/rooms/${'R'.repeat(22)}/ws`);
    expect(signalingUrl('https://meshpad.example', 'abc')).toBe('wss://meshpad.example/api/rooms/abc/ws');
  });

  it('says hello with the protocol version once open, then emits validated events', () => {
    const { client, sockets, seen } = setup();
    client.connect();
    const socket = sockets[0]!;
    socket.fire('open');
    expect(JSON.parse(socket.sent[0]!)).toEqual({ type: 'hello', v: PROTOCOL_VERSION });
    socket.fire('message', { data: JSON.stringify({ type: 'welcome', v: PROTOCOL_VERSION, self: PEER, peers: [], resumeToken: 'T'.repeat(43) }) });
    socket.fire('message', { data: JSON.stringify({ type: 'peer-joined', peer: PEER }) });
    expect(seen).toContainEqual(['welcome', { self: PEER, peers: [] }]);
    expect(seen).toContainEqual(['peer-joined', PEER]);
    expect(client.state).toBe('open');
  });

  it('adopts a socket that is already open (opened by index.html before the app loaded) and says hello at once', () => {
    const early = new FakeSocket();
    early.readyState = 1;
    const client = new SignalingClient('ws://x/api/rooms/r/ws', () => early);
    const states: string[] = [];
    client.on('state', (state) => states.push(state));
    client.connect();
    expect(states).toEqual(['connecting', 'open']);
    expect(early.sent.map((frame) => JSON.parse(frame))).toEqual([{ type: 'hello', v: PROTOCOL_VERSION }]);
    early.fire('open');
    expect(early.sent).toHaveLength(1);
  });

  it('does not say hello again on a socket that was greeted by whoever opened it', () => {
    const early = new FakeSocket();
    early.readyState = 1;
    const greeted = Object.assign(early, { greeted: true });
    const client = new SignalingClient('ws://x/api/rooms/r/ws', () => greeted);
    client.connect();
    expect(client.state).toBe('open');
    expect(early.sent).toEqual([]);
  });

  it('reports and ignores frames that fail validation or speak another version', () => {
    const { client, sockets, seen } = setup();
    client.connect();
    sockets[0]!.fire('open');
    sockets[0]!.fire('message', { data: '{"type":"peer-joined","peer":"x"}' });
    sockets[0]!.fire('message', { data: 'garbage' });
    sockets[0]!.fire('message', { data: JSON.stringify({ type: 'welcome', v: PROTOCOL_VERSION + 1, self: PEER, peers: [], resumeToken: 'T'.repeat(43) }) });
    expect(seen.filter(([e]) => e === 'protocol-error')).toHaveLength(3);
    expect(seen.some(([e]) => e === 'peer-joined' || e === 'welcome')).toBe(false);
  });

  it('sends signals only while open', () => {
    const { client, sockets } = setup();
    const payload = { iv: 'AAAAAAAAAAAAAAAA', ct: 'Y2lwaGVydGV4dC1ieXRlcy1oZXJl' };
    expect(client.sendSignal(PEER, payload)).toBe(false);
    client.connect();
    expect(client.sendSignal(PEER, payload)).toBe(false);
    sockets[0]!.fire('open');
    expect(client.sendSignal(PEER, payload)).toBe(true);
    expect(JSON.parse(sockets[0]!.sent[1]!)).toEqual({ type: 'signal', to: PEER, payload });
  });

  it('ignores late events from a socket it already closed', () => {
    const { client, sockets, seen } = setup();
    client.connect();
    const old = sockets[0]!;
    old.fire('open');
    client.close();
    expect(old.closedWith).toBe(1000);
    client.connect();
    old.fire('message', { data: JSON.stringify({ type: 'peer-joined', peer: PEER }) });
    old.fire('close', { code: 1006, reason: '' });
    expect(seen.some(([e]) => e === 'peer-joined' || e === 'closed')).toBe(false);
    expect(client.state).toBe('connecting');
  });

  it('reports the close code when the server closes', () => {
    const { client, sockets, seen } = setup();
    client.connect();
    sockets[0]!.fire('open');
    sockets[0]!.fire('close', { code: 4001, reason: 'room-full' });
    expect(seen).toContainEqual(['closed', { code: 4001, reason: 'room-full' }]);
    expect(client.state).toBe('closed');
  });
});
