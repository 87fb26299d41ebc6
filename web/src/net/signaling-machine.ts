/**
 * The reconnect state machine of the signaling socket, as a pure reducer (see link-machine.ts
 * for the conventions). Losing signaling does not interrupt working peer links, so after the
 * socket has worked once we retry forever at a capped backoff; if it never worked we give up
 * after SIGNALING_MAX_ATTEMPTS_NEVER_CONNECTED and say so (a network change or Retry tries
 * again). Closes that retrying cannot fix (incompatible version, room full, replaced by another
 * tab) fail at once.
 */
import { backoffDelay } from './backoff.ts';
import type { MachineEnv } from './link-machine.ts';
import { CloseCode } from './protocol.ts';

export const SIGNALING_CONNECT_TIMEOUT_MS = 10_000;
export const SIGNALING_STABLE_AFTER_MS = 10_000;
export const SIGNALING_MAX_ATTEMPTS_NEVER_CONNECTED = 5;

export type SignalingPhase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';
export type SignalingTimer = 'retry' | 'connect-timeout' | 'stable';

export interface SignalingMachineState {
  readonly phase: SignalingPhase;
  readonly socket: number | null;
  readonly generation: number;
  readonly failures: number;
  readonly everConnected: boolean;
  readonly retryAt: number | null;
  readonly reason: string | null;
}

export type SignalingEvent =
  | { type: 'start' }
  | { type: 'stop' }
  /** The socket is open and the server welcomed us. */
  | { type: 'socket-open'; socket: number }
  | { type: 'socket-closed'; socket: number; code: number; reason: string }
  | { type: 'timer'; timer: SignalingTimer }
  | { type: 'wake' }
  | { type: 'network-changed' }
  | { type: 'retry' };

export type SignalingEffect =
  | { kind: 'open-socket'; socket: number }
  | { kind: 'close-socket'; socket: number }
  | { kind: 'schedule'; timer: SignalingTimer; ms: number }
  | { kind: 'cancel'; timer: SignalingTimer };

export interface SignalingTransition {
  readonly state: SignalingMachineState;
  readonly effects: readonly SignalingEffect[];
}

const FATAL_CLOSES: Partial<Record<number, string>> = {
  [CloseCode.incompatible]: 'This app is out of date for the server; reload the page.',
  [CloseCode.roomFull]: 'This room is full.',
  [CloseCode.replaced]: 'This room was opened again in another tab or window.',
};

export const initialSignalingState: SignalingMachineState = {
  phase: 'idle',
  socket: null,
  generation: 0,
  failures: 0,
  everConnected: false,
  retryAt: null,
  reason: null,
};

const same = (state: SignalingMachineState): SignalingTransition => ({ state, effects: [] });

function open(state: SignalingMachineState): SignalingTransition {
  const socket = state.generation + 1;
  const effects: SignalingEffect[] = [];
  if (state.socket !== null) effects.push({ kind: 'close-socket', socket: state.socket });
  effects.push(
    { kind: 'cancel', timer: 'retry' },
    { kind: 'open-socket', socket },
    { kind: 'schedule', timer: 'connect-timeout', ms: SIGNALING_CONNECT_TIMEOUT_MS },
  );
  return { state: { ...state, phase: 'connecting', socket, generation: socket, retryAt: null }, effects };
}

function lost(state: SignalingMachineState, reason: string, env: MachineEnv, fatal: string | undefined): SignalingTransition {
  const effects: SignalingEffect[] = [];
  if (state.socket !== null) effects.push({ kind: 'close-socket', socket: state.socket });
  effects.push({ kind: 'cancel', timer: 'connect-timeout' }, { kind: 'cancel', timer: 'stable' });
  const failures = state.failures + 1;
  const base = { ...state, socket: null, failures, retryAt: null };
  if (fatal) return { state: { ...base, phase: 'failed', reason: fatal }, effects };
  if (!state.everConnected && failures >= SIGNALING_MAX_ATTEMPTS_NEVER_CONNECTED) {
    return {
      state: { ...base, phase: 'failed', reason: `Cannot reach the signaling server after ${failures} attempts (${reason}).` },
      effects,
    };
  }
  const delay = backoffDelay(failures, env.random);
  effects.push({ kind: 'schedule', timer: 'retry', ms: delay });
  return { state: { ...base, phase: 'reconnecting', retryAt: env.now + delay, reason }, effects };
}

export function signalingReducer(state: SignalingMachineState, event: SignalingEvent, env: MachineEnv): SignalingTransition {
  switch (event.type) {
    case 'start':
      return state.phase === 'idle' ? open(state) : same(state);
    case 'stop': {
      const effects: SignalingEffect[] = [
        { kind: 'cancel', timer: 'retry' },
        { kind: 'cancel', timer: 'connect-timeout' },
        { kind: 'cancel', timer: 'stable' },
      ];
      if (state.socket !== null) effects.unshift({ kind: 'close-socket', socket: state.socket });
      return { state: { ...state, phase: 'idle', socket: null, retryAt: null }, effects };
    }
    case 'socket-open':
      if (event.socket !== state.socket || state.phase !== 'connecting') return same(state);
      return {
        state: { ...state, phase: 'connected', everConnected: true, reason: null },
        effects: [
          { kind: 'cancel', timer: 'connect-timeout' },
          { kind: 'schedule', timer: 'stable', ms: SIGNALING_STABLE_AFTER_MS },
        ],
      };
    case 'socket-closed':
      if (event.socket !== state.socket) return same(state);
      return lost(state, `closed with ${event.code}${event.reason ? ` ${event.reason}` : ''}`, env, FATAL_CLOSES[event.code]);
    case 'timer':
      switch (event.timer) {
        case 'retry':
          return state.phase === 'reconnecting' ? open(state) : same(state);
        case 'connect-timeout':
          return state.phase === 'connecting'
            ? lost(state, `no answer after ${SIGNALING_CONNECT_TIMEOUT_MS / 1000} s`, env, undefined)
            : same(state);
        case 'stable':
          return state.phase === 'connected' ? same({ ...state, failures: 0 }) : same(state);
      }
      return same(state);
    case 'wake':
      return state.phase === 'reconnecting' ? open(state) : same(state);
    case 'network-changed':
    case 'retry':
      if (state.phase === 'reconnecting') return open(state);
      if (state.phase === 'failed') return open({ ...state, failures: 0 });
      return same(state);
  }
}
