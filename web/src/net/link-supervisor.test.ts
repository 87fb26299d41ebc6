import { describe, expect, it } from 'vitest';
import { FakeClock } from '../test-support/fake-clock.ts';
import { Emitter } from './emitter.ts';
import { CONNECT_TIMEOUT_MS, DIRECT_ATTEMPTS_BEFORE_RELAY, type LinkRole } from './link-machine.ts';
import { LinkSupervisor, type LinkFactoryRequest, type LinkHandle } from './link-supervisor.ts';
import type { LinkEvents, LinkState } from './peer-link.ts';
import type { PeerSignal, SignalEnvelope } from './peer-signal.ts';

class FakeLink extends Emitter<LinkEvents> {
  state: LinkState = 'connecting';
  readonly received: PeerSignal[] = [];
  restarts = 0;
  closed = false;
  constructor(readonly request: LinkFactoryRequest) {
    super();
  }
  signal(signal: PeerSignal): void {
    this.received.push(signal);
  }
  restartIce(): void {
    this.restarts++;
  }
  close(): void {
    this.closed = true;
    this.state = 'closed';
  }
  open(): void {
    this.state = 'open';
    this.emit('open', undefined);
  }
  drop(): void {
    this.state = 'closed';
    this.emit('close', { reason: 'remote-closed', detail: 'gone' });
  }
  fire<K extends keyof LinkEvents>(event: K, payload: LinkEvents[K]): void {
    this.emit(event, payload);
  }
  send(): void {}
  pendingSendBytes(): number {
    return 0;
  }
  async stats() {
    return { transport: null, localCandidateType: null, remoteCandidateType: null, rttMs: null };
  }
  channelInfo() {
    return [];
  }
  get connection(): RTCPeerConnection {
    throw new Error('no connection in tests');
  }
}

function setup(role: LinkRole, relayAvailable = true) {
  const clock = new FakeClock();
  const links: FakeLink[] = [];
  const sent: SignalEnvelope[] = [];
  const supervisor = new LinkSupervisor({
    remoteId: 'remote',
    role,
    relayAvailable,
    clock,
    createLink: (request) => {
      const link = new FakeLink(request);
      links.push(link);
      return link as unknown as LinkHandle;
    },
    sendEnvelope: (envelope) => sent.push(envelope),
  });
  const opened: unknown[] = [];
  supervisor.on('open', (link) => opened.push(link));
  return { clock, links, sent, supervisor, opened };
}

const offer: PeerSignal = { type: 'offer', sdp: 'v=0' };

describe('LinkSupervisor (initiator)', () => {
  it('creates a direct link, wraps its signals in envelopes with a link id, and reports open', () => {
    const { links, sent, supervisor, opened } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    expect(links).toHaveLength(1);
    expect(links[0]!.request).toMatchObject({ transport: 'direct', initiator: true });
    links[0]!.request.sendSignal(offer);
    expect(sent).toEqual([{ kind: 'rtc', link: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/), transport: 'direct', signal: offer }]);
    links[0]!.open();
    expect(supervisor.state.phase).toBe('connected');
    expect(opened).toEqual([links[0]]);
    expect(supervisor.openLink).toBe(links[0]);
  });

  it('replaces a dropped link after the backoff, with a new link id', () => {
    const { clock, links, sent, supervisor } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    links[0]!.request.sendSignal(offer);
    links[0]!.open();
    links[0]!.drop();
    expect(supervisor.state.phase).toBe('reconnecting');
    expect(supervisor.openLink).toBeNull();
    clock.advance(249);
    expect(links).toHaveLength(1);
    clock.advance(1);
    expect(links).toHaveLength(2);
    links[1]!.request.sendSignal(offer);
    const ids = sent.map((e) => (e.kind === 'rtc' ? e.link : null));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('ignores a late close and late signals from a replaced link', () => {
    const { clock, links, sent, supervisor } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    clock.advance(CONNECT_TIMEOUT_MS);
    expect(links[0]!.closed).toBe(true);
    clock.advance(1000);
    expect(links).toHaveLength(2);
    links[1]!.open();
    links[0]!.drop();
    links[0]!.request.sendSignal(offer);
    expect(supervisor.state.phase).toBe('connected');
    expect(sent).toEqual([]);
  });

  it('restarts ICE on a degraded link and replaces it when that does not help', () => {
    const { clock, links, supervisor } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    links[0]!.open();
    links[0]!.fire('degraded', 'disconnected');
    expect(links[0]!.restarts).toBe(1);
    links[0]!.fire('recovered', undefined);
    links[0]!.fire('degraded', 'disconnected');
    expect(links[0]!.restarts).toBe(2);
    clock.advance(5000);
    expect(links[0]!.closed).toBe(true);
    expect(supervisor.state.phase).toBe('reconnecting');
  });

  it(`switches to a relay-only link after ${DIRECT_ATTEMPTS_BEFORE_RELAY} failed direct attempts`, () => {
    const { clock, links, supervisor } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    for (let i = 0; i < DIRECT_ATTEMPTS_BEFORE_RELAY; i++) {
      clock.advance(CONNECT_TIMEOUT_MS);
      clock.advance(1_000); // the jittered backoff of the first two retries is below 1 s
    }
    expect(links.map((l) => l.request.transport)).toEqual(['direct', 'direct', 'relay']);
    expect(supervisor.state.phase).toBe('relay');
  });

  it('stop closes the link and leaves no timer behind', () => {
    const { clock, links, supervisor } = setup('initiator');
    supervisor.dispatch({ type: 'start' });
    supervisor.stop();
    expect(links[0]!.closed).toBe(true);
    expect(clock.pending).toBe(0);
  });
});

describe('LinkSupervisor (responder)', () => {
  it('answers an offer with a new link of the offered transport and feeds it the offer', () => {
    const { links, sent, supervisor } = setup('responder');
    supervisor.dispatch({ type: 'start' });
    expect(links).toHaveLength(0);
    supervisor.handleSignal({ kind: 'rtc', link: 'link-one-id', transport: 'relay', signal: offer });
    expect(links).toHaveLength(1);
    expect(links[0]!.request).toMatchObject({ transport: 'relay', initiator: false });
    expect(links[0]!.received).toEqual([offer]);
    const answer: PeerSignal = { type: 'answer', sdp: 'v=0' };
    links[0]!.request.sendSignal(answer);
    expect(sent).toEqual([{ kind: 'rtc', link: 'link-one-id', transport: 'relay', signal: answer }]);
    const candidate: PeerSignal = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };
    supervisor.handleSignal({ kind: 'rtc', link: 'link-one-id', transport: 'relay', signal: candidate });
    expect(links[0]!.received).toEqual([offer, candidate]);
  });

  it('ignores non-offers for unknown links, and replaces its link on a new offer', () => {
    const { links, supervisor } = setup('responder');
    supervisor.dispatch({ type: 'start' });
    supervisor.handleSignal({ kind: 'rtc', link: 'stale-link-id', transport: 'direct', signal: { type: 'answer', sdp: 'v=0' } });
    expect(links).toHaveLength(0);
    supervisor.handleSignal({ kind: 'rtc', link: 'link-one-id', transport: 'direct', signal: offer });
    supervisor.handleSignal({ kind: 'rtc', link: 'link-two-id', transport: 'direct', signal: offer });
    expect(links).toHaveLength(2);
    expect(links[0]!.closed).toBe(true);
  });

  it('asks the initiator to reconnect when its link drops', () => {
    const { links, sent, supervisor } = setup('responder');
    supervisor.dispatch({ type: 'start' });
    supervisor.handleSignal({ kind: 'rtc', link: 'link-one-id', transport: 'direct', signal: offer });
    links[0]!.open();
    links[0]!.drop();
    expect(sent).toContainEqual({ kind: 'connect-request' });
    expect(supervisor.state.phase).toBe('reconnecting');
  });

  it('never restarts ICE itself', () => {
    const { links, supervisor } = setup('responder');
    supervisor.dispatch({ type: 'start' });
    supervisor.handleSignal({ kind: 'rtc', link: 'link-one-id', transport: 'direct', signal: offer });
    links[0]!.open();
    links[0]!.fire('degraded', 'disconnected');
    expect(links[0]!.restarts).toBe(0);
  });
});
