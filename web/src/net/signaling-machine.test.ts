import { describe, expect, it } from 'vitest';
import { backoffCeiling } from './backoff.ts';
import { CloseCode } from './protocol.ts';
import {
  SIGNALING_CONNECT_TIMEOUT_MS,
  SIGNALING_MAX_ATTEMPTS_NEVER_CONNECTED,
  SIGNALING_STABLE_AFTER_MS,
  initialSignalingState,
  signalingReducer,
  type SignalingEvent,
  type SignalingMachineState,
} from './signaling-machine.ts';

const env = { now: 0, random: 0.5 };
function run(events: SignalingEvent[], state: SignalingMachineState = initialSignalingState) {
  let effects: unknown[] = [];
  for (const event of events) {
    const t = signalingReducer(state, event, env);
    state = t.state;
    effects = [...t.effects];
  }
  return { state, effects };
}
const closed = (socket: number, code = 1006): SignalingEvent => ({ type: 'socket-closed', socket, code, reason: '' });

describe('signaling machine', () => {
  it('opens a socket with a timeout, and is connected once welcomed', () => {
    const started = run([{ type: 'start' }]);
    expect(started.state).toMatchObject({ phase: 'connecting', socket: 1 });
    expect(started.effects).toContainEqual({ kind: 'open-socket', socket: 1 });
    expect(started.effects).toContainEqual({ kind: 'schedule', timer: 'connect-timeout', ms: SIGNALING_CONNECT_TIMEOUT_MS });
    const open = run([{ type: 'socket-open', socket: 1 }], started.state);
    expect(open.state).toMatchObject({ phase: 'connected', everConnected: true });
    expect(open.effects).toContainEqual({ kind: 'schedule', timer: 'stable', ms: SIGNALING_STABLE_AFTER_MS });
  });

  it('retries with backoff after losing a working socket, forever', () => {
    let { state } = run([{ type: 'start' }, { type: 'socket-open', socket: 1 }]);
    for (let i = 1; i <= 20; i++) {
      const t = run([closed(state.socket!)], state);
      expect(t.state.phase).toBe('reconnecting');
      expect(t.effects).toContainEqual({ kind: 'schedule', timer: 'retry', ms: Math.floor(backoffCeiling(i) / 2) });
      state = run([{ type: 'timer', timer: 'retry' }], t.state).state;
      expect(state.phase).toBe('connecting');
    }
  });

  it('gives up when it never connected, and a network change tries again', () => {
    let { state } = run([{ type: 'start' }]);
    for (let i = 1; i < SIGNALING_MAX_ATTEMPTS_NEVER_CONNECTED; i++) {
      state = run([{ type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }], state).state;
    }
    state = run([{ type: 'timer', timer: 'connect-timeout' }], state).state;
    expect(state.phase).toBe('failed');
    expect(state.reason).toMatch(/Cannot reach the signaling server after 5 attempts/);
    expect(run([{ type: 'network-changed' }], state).state).toMatchObject({ phase: 'connecting', failures: 0 });
    expect(run([{ type: 'retry' }], state).state.phase).toBe('connecting');
  });

  it.each([
    [CloseCode.incompatible, /out of date/],
    [CloseCode.roomFull, /full/],
    [CloseCode.replaced, /another tab/],
  ])('fails at once on close %i', (code, reason) => {
    const { state, effects } = run([{ type: 'start' }, { type: 'socket-open', socket: 1 }, closed(1, code)]);
    expect(state.phase).toBe('failed');
    expect(state.reason).toMatch(reason);
    expect(effects).not.toContainEqual(expect.objectContaining({ kind: 'schedule' }));
  });

  it('ignores events from a replaced socket', () => {
    const { state } = run([{ type: 'start' }, { type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }]);
    expect(state.socket).toBe(2);
    expect(signalingReducer(state, closed(1), env)).toEqual({ state, effects: [] });
    expect(signalingReducer(state, { type: 'socket-open', socket: 1 }, env)).toEqual({ state, effects: [] });
  });

  it('cuts the wait short on wake and network change', () => {
    const waiting = run([{ type: 'start' }, { type: 'socket-open', socket: 1 }, closed(1)]).state;
    expect(run([{ type: 'wake' }], waiting).state.phase).toBe('connecting');
    expect(run([{ type: 'network-changed' }], waiting).effects).toContainEqual({ kind: 'cancel', timer: 'retry' });
    const connected = run([{ type: 'start' }, { type: 'socket-open', socket: 1 }]).state;
    expect(signalingReducer(connected, { type: 'wake' }, env).effects).toEqual([]);
  });

  it('resets the failure count once stable', () => {
    let { state } = run([{ type: 'start' }, { type: 'timer', timer: 'connect-timeout' }, { type: 'timer', timer: 'retry' }, { type: 'socket-open', socket: 2 }]);
    expect(state.failures).toBe(1);
    state = run([{ type: 'timer', timer: 'stable' }], state).state;
    expect(state.failures).toBe(0);
  });

  it('stops: closes the socket and cancels the timers', () => {
    const { state, effects } = run([{ type: 'start' }, { type: 'stop' }]);
    expect(state.phase).toBe('idle');
    expect(effects[0]).toEqual({ kind: 'close-socket', socket: 1 });
    expect(run([{ type: 'start' }], state).state.phase).toBe('connecting');
  });
});
