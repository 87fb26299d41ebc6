import { describe, expect, it } from 'vitest';
import { randomBase64Url } from './base64url.ts';
import { Mesh, type MeshDiagnostic } from './mesh.ts';
import { PROTOCOL_VERSION } from './protocol.ts';
import { deriveRoomKey, seal, signalAad } from './room-crypto.ts';
import { SignalingClient, type SocketLike } from './signaling-client.ts';

const ROOM = 'R'.repeat(22);
const SELF = 'selfAAAAAAAAAAAA';
const OTHER = 'otherBBBBBBBBBBB';

class ServerSocket implements SocketLike {
  readyState = 1;
  readonly sent: string[] = [];
  private onMessage: ((event: { data: unknown }) => void) | null = null;
  addEventListener(type: string, listener: (event: never) => void): void {
    if (type === 'message') this.onMessage = listener as (event: { data: unknown }) => void;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {}
  receive(message: unknown): void {
    this.onMessage?.({ data: JSON.stringify(message) });
  }
}

async function setup() {
  const secret = randomBase64Url(16);
  const key = await deriveRoomKey(secret, ROOM);
  const socket = new ServerSocket();
  const signaling = new SignalingClient('ws://x', () => socket);
  const mesh = new Mesh({ roomId: ROOM, key, signaling, ice: { current: () => ({ iceServers: [], turn: false }) } });
  const diagnostics: MeshDiagnostic[] = [];
  const next = () => new Promise<MeshDiagnostic>((resolve) => mesh.on('diagnostic', resolve));
  mesh.on('diagnostic', (d) => diagnostics.push(d));
  mesh.start();
  socket.receive({ type: 'welcome', v: PROTOCOL_VERSION, self: SELF, peers: [], resumeToken: 'T'.repeat(43) });
  await new Promise((resolve) => setTimeout(resolve, 0)); // signaling events are handled in order, asynchronously
  return { key, socket, mesh, diagnostics, next };
}

describe('Mesh signal handling', () => {
  it('reports and ignores a signal sealed with another room key', async () => {
    const { socket, mesh, next } = await setup();
    const wrongKey = await deriveRoomKey(randomBase64Url(16), ROOM);
    const payload = await seal(wrongKey, JSON.stringify({ type: 'offer', sdp: 'v=0' }), signalAad(ROOM, OTHER, SELF));
    const reported = next();
    socket.receive({ type: 'signal', from: OTHER, payload });
    expect(await reported).toEqual({ peer: OTHER, kind: 'decrypt-failed', detail: expect.stringMatching(/authentication/) });
    expect(mesh.peers()).toEqual([]);
  });

  it('reports a signal replayed under another sender id', async () => {
    const { key, socket, mesh, next } = await setup();
    const payload = await seal(key, JSON.stringify({ type: 'offer', sdp: 'v=0' }), signalAad(ROOM, 'thirdCCCCCCCCCCC', SELF));
    const reported = next();
    socket.receive({ type: 'signal', from: OTHER, payload });
    expect((await reported).kind).toBe('decrypt-failed');
    expect(mesh.peers()).toEqual([]);
  });

  it('reports an authentic signal whose content is not SDP/ICE', async () => {
    const { key, socket, mesh, next } = await setup();
    const payload = await seal(key, JSON.stringify({ type: 'offer', sdp: 42 }), signalAad(ROOM, OTHER, SELF));
    const reported = next();
    socket.receive({ type: 'signal', from: OTHER, payload });
    expect(await reported).toMatchObject({ peer: OTHER, kind: 'bad-signal' });
    expect(mesh.peers()).toEqual([]);
  });

  it('reports server errors and invalid server frames', async () => {
    const { socket, diagnostics } = await setup();
    socket.receive({ type: 'error', code: 'rate-limited', message: 'slow down' });
    socket.receive({ type: 'bogus' });
    expect(diagnostics.map((d) => d.kind)).toEqual(['server-error', 'protocol-error']);
  });

  it('learns its own id from welcome', async () => {
    const { mesh } = await setup();
    expect(mesh.self).toBe(SELF);
  });
});
