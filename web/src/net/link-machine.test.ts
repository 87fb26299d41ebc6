import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffCeiling, backoffDelay } from './backoff.ts';
import {
  CONNECT_TIMEOUT_MS,
  DIRECT_ATTEMPTS_BEFORE_RELAY,
  ICE_RESTART_TIMEOUT_MS,
  MAX_ATTEMPTS_AFTER_CONNECTED,
  MAX_ATTEMPTS_NEVER_CONNECTED,
  RESPONDER_WAIT_MS,
  STABLE_AFTER_MS,
  initialLinkState,
  linkReducer,
  type LinkEffect,
  type LinkEvent,
  type LinkMachineState,
  type MachineEnv,
} from './link-machine.ts';

const env = (now = 1000, random = 0.5): MachineEnv => ({ now, random });

function run(state: LinkMachineState, events: LinkEvent[], e = env()): { state: LinkMachineState; effects: LinkEffect[] } {
  let effects: LinkEffect[] = [];
  for (const event of events) {
    const t = linkReducer(state, event, e);
    state = t.state;
    effects = [...t.effects];
  }
  return { state, effects };
}

const kinds = (effects: LinkEffect[]) => effects.map((e) => (e.kind === 'schedule' || e.kind === 'cancel' ? `${e.kind}:${e.timer}` : e.kind));

describe('backoff', () => {
  it('grows by the factor from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(backoffCeiling)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffCeiling(1)).toBe(BACKOFF_BASE_MS);
    expect(backoffCeiling(100)).toBe(BACKOFF_CAP_MS);
  });

  it('draws full jitter within [0, ceiling)', () => {
    for (let attempt = 1; attempt < 12; attempt++) {
      expect(backoffDelay(attempt, 0)).toBe(0);
      expect(backoffDelay(attempt, 0.999999)).toBeLessThan(backoffCeiling(attempt));
      expect(backoffDelay(attempt, 0.5)).toBe(Math.floor(backoffCeiling(attempt) / 2));
    }
    expect(backoffDelay(3, 1)).toBeLessThan(backoffCeiling(3));
    expect(backoffDelay(3, -1)).toBe(0);
  });
});

describe('link machine: initiator', () => {
  const start = () => run(initialLinkState('initiator', true), [{ type: 'start' }]);

  it('starts with a direct attempt and a connect timeout', () => {
    const { state, effects } = start();
    expect(state).toMatchObject({ phase: 'connecting', link: 1, transport: 'direct' });
    expect(effects).toContainEqual({ kind: 'create-link', link: 1, transport: 'direct' });
    expect(effects).toContainEqual({ kind: 'schedule', timer: 'connect-timeout', ms: CONNECT_TIMEOUT_MS });
  });

  it('ignores a second start', () => {
    const { state } = start();
    expect(linkReducer(state, { type: 'start' }, env())).toEqual({ state, effects: [] });
  });

  it('connects, cancels the timeout and schedules the stable timer', () => {
    const { state, effects } = run(start().state, [{ type: 'link-open', link: 1 }], env(5000));
    expect(state).toMatchObject({ phase: 'connected', everConnected: true, connectedSince: 5000 });
    expect(kinds(effects)).toEqual(['cancel:connect-timeout', 'cancel:responder-wait', 'schedule:stable']);
  });

  it('backs off with jitter after a failed attempt, then retries', () => {
    const failed = run(start().state, [{ type: 'timer', timer: 'connect-timeout' }], env(2000, 0.5));
    expect(failed.state).toMatchObject({ phase: 'reconnecting', failures: 1, link: null, retryAt: 2000 + 250 });
    expect(failed.effects).toContainEqual({ kind: 'destroy-link', link: 1 });
    expect(failed.effects).toContainEqual({ kind: 'schedule', timer: 'retry', ms: 250 });
    const retried = run(failed.state, [{ type: 'timer', timer: 'retry' }]);
    expect(retried.state).toMatchObject({ phase: 'connecting', link: 2 });
    expect(retried.effects).toContainEqual({ kind: 'create-link', link: 2, transport: 'direct' });
  });

  it('uses the backoff sequence for successive failures', () => {
    let state = start().state;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t = linkReducer(state, { type: 'link-closed', link: state.link!, reason: 'x' }, env(0, 0.999));
      const schedule = t.effects.find((e) => e.kind === 'schedule' && e.timer === 'retry');
      delays.push(schedule && schedule.kind === 'schedule' ? schedule.ms : -1);
      state = linkReducer(t.state, { type: 'timer', timer: 'retry' }, env()).state;
    }
    expect(delays).toEqual([499, 999, 1998, 3996]);
  });

  it(`falls back to the TURN relay after ${DIRECT_ATTEMPTS_BEFORE_RELAY} direct failures`, () => {
    let state = start().state;
    for (let i = 0; i < DIRECT_ATTEMPTS_BEFORE_RELAY; i++) {
      expect(state.transport).toBe('direct');
      state = run(state, [{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }]).state;
    }
    expect(state).toMatchObject({ phase: 'relay', transport: 'relay' });
    const opened = run(state, [{ type: 'link-open', link: state.link! }]).state;
    expect(opened).toMatchObject({ phase: 'connected', transport: 'relay' });
  });

  it('keeps trying direct when no relay is configured', () => {
    let state = run(initialLinkState('initiator', false), [{ type: 'start' }]).state;
    for (let i = 0; i < 4; i++) state = run(state, [{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }]).state;
    expect(state).toMatchObject({ phase: 'connecting', transport: 'direct' });
  });

  it('learns about the relay later', () => {
    let state = run(initialLinkState('initiator', false), [{ type: 'start' }, { type: 'relay-availability', available: true }]).state;
    for (let i = 0; i < DIRECT_ATTEMPTS_BEFORE_RELAY; i++) state = run(state, [{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }]).state;
    expect(state.transport).toBe('relay');
  });

  it('gives up loudly when it never connected', () => {
    let state = start().state;
    for (let i = 1; i < MAX_ATTEMPTS_NEVER_CONNECTED; i++) {
      state = run(state, [{ type: 'link-closed', link: state.link!, reason: 'ice failed' }, { type: 'timer', timer: 'retry' }]).state;
    }
    const { state: failed, effects } = run(state, [{ type: 'link-closed', link: state.link!, reason: 'ice failed' }]);
    expect(failed.phase).toBe('failed');
    expect(failed.reason).toBe(`could not connect after ${MAX_ATTEMPTS_NEVER_CONNECTED} attempts (ice failed)`);
    expect(kinds(effects)).not.toContain('schedule:retry');
  });

  it('is more patient after having worked, and says the connection was lost', () => {
    let state = run(start().state, [{ type: 'link-open', link: 1 }]).state;
    for (let i = 1; i < MAX_ATTEMPTS_AFTER_CONNECTED; i++) {
      state = run(state, [{ type: 'link-closed', link: state.link!, reason: 'gone' }, { type: 'timer', timer: 'retry' }]).state;
      expect(state.phase).not.toBe('failed');
    }
    state = run(state, [{ type: 'link-closed', link: state.link!, reason: 'gone' }]).state;
    expect(state.phase).toBe('failed');
    expect(state.reason).toMatch(/^connection lost; gave up after 12 attempts/);
  });

  it('resets the counters after a stable connection', () => {
    let state = start().state;
    state = run(state, [{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }, { type: 'link-open', link: 2 }]).state;
    expect(state.failures).toBe(1);
    state = run(state, [{ type: 'timer', timer: 'stable' }]).state;
    expect(state).toMatchObject({ failures: 0, directFailures: 0, phase: 'connected' });
    const after = run(state, [{ type: 'link-closed', link: 2, reason: 'x' }], env(0, 0.999));
    expect(after.effects).toContainEqual({ kind: 'schedule', timer: 'retry', ms: 499 });
    expect(STABLE_AFTER_MS).toBeGreaterThan(0);
  });

  it('ICE-restarts a degraded link first and keeps it when it recovers', () => {
    const connected = run(start().state, [{ type: 'link-open', link: 1 }]).state;
    const degraded = run(connected, [{ type: 'link-degraded', link: 1 }]);
    expect(degraded.state).toMatchObject({ phase: 'connected', restarting: true });
    expect(degraded.effects).toEqual([
      { kind: 'ice-restart', link: 1 },
      { kind: 'schedule', timer: 'ice-restart', ms: ICE_RESTART_TIMEOUT_MS },
    ]);
    expect(run(degraded.state, [{ type: 'link-degraded', link: 1 }]).effects).toEqual([]);
    const recovered = run(degraded.state, [{ type: 'link-recovered', link: 1 }]);
    expect(recovered.state).toMatchObject({ phase: 'connected', restarting: false, link: 1 });
    expect(recovered.effects).toEqual([{ kind: 'cancel', timer: 'ice-restart' }]);
  });

  it('replaces the link when the ICE restart does not recover it', () => {
    const degraded = run(start().state, [{ type: 'link-open', link: 1 }, { type: 'link-degraded', link: 1 }]).state;
    const { state, effects } = run(degraded, [{ type: 'timer', timer: 'ice-restart' }]);
    expect(state).toMatchObject({ phase: 'reconnecting', reason: 'ICE restart did not recover the link' });
    expect(effects).toContainEqual({ kind: 'destroy-link', link: 1 });
  });

  it('ignores events from a replaced link (orphan guard)', () => {
    const second = run(start().state, [{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }]).state;
    expect(second.link).toBe(2);
    for (const event of [
      { type: 'link-closed', link: 1, reason: 'late close' },
      { type: 'link-open', link: 1 },
      { type: 'link-degraded', link: 1 },
      { type: 'link-recovered', link: 1 },
    ] as const) {
      expect(linkReducer(second, event, env())).toEqual({ state: second, effects: [] });
    }
  });

  it('cuts a backoff wait short on a network change, wake or connect request', () => {
    const waiting = run(start().state, [{ type: 'timer', timer: 'connect-timeout' }], env(0, 0.9)).state;
    for (const event of [{ type: 'network-changed' }, { type: 'wake' }, { type: 'connect-request' }] as const) {
      const { state, effects } = run(waiting, [event]);
      expect(state.phase).toBe('connecting');
      expect(kinds(effects)).toContain('cancel:retry');
      expect(kinds(effects)).toContain('create-link');
    }
  });

  it('ICE-restarts a live link on a network change', () => {
    const connected = run(start().state, [{ type: 'link-open', link: 1 }]).state;
    expect(run(connected, [{ type: 'network-changed' }]).effects).toContainEqual({ kind: 'ice-restart', link: 1 });
    expect(run(connected, [{ type: 'wake' }]).effects).toEqual([]);
  });

  it('waits for an absent peer instead of retrying, and tries as soon as it is back', () => {
    const connected = run(start().state, [{ type: 'link-open', link: 1 }, { type: 'peer-presence', present: false }]).state;
    expect(connected.phase).toBe('connected');
    const lost = run(connected, [{ type: 'link-closed', link: 1, reason: 'gone' }]);
    expect(lost.state).toMatchObject({ phase: 'reconnecting', retryAt: null });
    expect(kinds(lost.effects)).not.toContain('schedule:retry');
    const back = run(lost.state, [{ type: 'peer-presence', present: true }]);
    expect(back.state.phase).toBe('connecting');
  });

  it('cancels a pending retry when the peer disappears', () => {
    const waiting = run(start().state, [{ type: 'timer', timer: 'connect-timeout' }]).state;
    const { state, effects } = run(waiting, [{ type: 'peer-presence', present: false }]);
    expect(state).toMatchObject({ phase: 'reconnecting', retryAt: null, peerPresent: false });
    expect(effects).toEqual([{ kind: 'cancel', timer: 'retry' }]);
  });

  it('retries from failed on user request, network change or the peer coming back, from zero', () => {
    let state = start().state;
    for (let i = 0; i < MAX_ATTEMPTS_NEVER_CONNECTED; i++) {
      state = run(state, [{ type: 'link-closed', link: state.link!, reason: 'x' }, { type: 'timer', timer: 'retry' }]).state;
    }
    expect(state.phase).toBe('failed');
    for (const event of [{ type: 'retry' }, { type: 'network-changed' }, { type: 'connect-request' }] as const) {
      const next = run(state, [event]).state;
      expect(next).toMatchObject({ phase: 'connecting', failures: 0, directFailures: 0, transport: 'direct' });
    }
  });

  it('stops cleanly, destroying the link and every timer', () => {
    const { state, effects } = run(start().state, [{ type: 'stop' }]);
    expect(state).toMatchObject({ phase: 'idle', link: null });
    expect(effects[0]).toEqual({ kind: 'destroy-link', link: 1 });
    expect(kinds(effects).filter((k) => k.startsWith('cancel:'))).toHaveLength(5);
  });

  it('ignores offers (only responders answer them)', () => {
    const { state } = start();
    expect(linkReducer(state, { type: 'incoming-offer', transport: 'relay' }, env())).toEqual({ state, effects: [] });
  });
});

describe('link machine: responder', () => {
  const start = () => run(initialLinkState('responder', true), [{ type: 'start' }]);

  it('waits for an offer and answers it with a link of the offered transport', () => {
    const waiting = start();
    expect(waiting.state).toMatchObject({ phase: 'connecting', link: null });
    expect(waiting.effects).toEqual([{ kind: 'schedule', timer: 'responder-wait', ms: RESPONDER_WAIT_MS }]);
    const answering = run(waiting.state, [{ type: 'incoming-offer', transport: 'relay' }]);
    expect(answering.state).toMatchObject({ phase: 'relay', link: 1, transport: 'relay' });
    expect(answering.effects).toContainEqual({ kind: 'create-link', link: 1, transport: 'relay' });
  });

  it('replaces its link when a new offer arrives', () => {
    const connected = run(start().state, [{ type: 'incoming-offer', transport: 'direct' }, { type: 'link-open', link: 1 }]).state;
    const { state, effects } = run(connected, [{ type: 'incoming-offer', transport: 'direct' }]);
    expect(state).toMatchObject({ phase: 'connecting', link: 2 });
    expect(effects[0]).toEqual({ kind: 'destroy-link', link: 1 });
  });

  it('asks the initiator to reconnect when its link drops, and waits', () => {
    const connected = run(start().state, [{ type: 'incoming-offer', transport: 'direct' }, { type: 'link-open', link: 1 }]).state;
    const { state, effects } = run(connected, [{ type: 'link-closed', link: 1, reason: 'closed' }]);
    expect(state).toMatchObject({ phase: 'reconnecting', link: null });
    expect(effects).toContainEqual({ kind: 'request-connect' });
    expect(kinds(effects)).not.toContain('schedule:retry');
    expect(run(state, [{ type: 'wake' }]).effects).toEqual([{ kind: 'request-connect' }]);
  });

  it('does not restart ICE itself but gives the initiator time to', () => {
    const connected = run(start().state, [{ type: 'incoming-offer', transport: 'direct' }, { type: 'link-open', link: 1 }]).state;
    const { effects } = run(connected, [{ type: 'link-degraded', link: 1 }]);
    expect(effects).toEqual([{ kind: 'schedule', timer: 'ice-restart', ms: ICE_RESTART_TIMEOUT_MS }]);
  });

  it('gives up when no offer comes, and Retry asks again', () => {
    const failed = run(start().state, [{ type: 'timer', timer: 'responder-wait' }]).state;
    expect(failed).toMatchObject({ phase: 'failed', reason: 'the peer never offered a connection' });
    const retry = run(failed, [{ type: 'retry' }]);
    expect(retry.state.phase).toBe('reconnecting');
    expect(retry.effects).toContainEqual({ kind: 'request-connect' });
  });

  it('ignores the wait timer while answering', () => {
    const answering = run(start().state, [{ type: 'incoming-offer', transport: 'direct' }]).state;
    expect(linkReducer(answering, { type: 'timer', timer: 'responder-wait' }, env()).state).toBe(answering);
  });
});
