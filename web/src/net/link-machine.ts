/**
 * The reconnect state machine of one peer link, as a pure reducer: `(state, event, env) →
 * { state, effects }`. Effects are data; link-supervisor.ts carries them out with a clock.
 *
 * Only the initiator (the peer with the smaller id) creates links; the responder answers
 * offers and, when it notices trouble first, asks the initiator to hurry (`request-connect`).
 * Every link-* event names the link generation it comes from: events from a link that was
 * already replaced are ignored, so a late close can never tear down its successor.
 *
 * Initiator path: connect directly → on failure, wait out an exponential backoff with full
 * jitter and try again → after DIRECT_ATTEMPTS_BEFORE_RELAY direct failures (and when a TURN
 * relay is configured) connect through the relay only → give up after MAX_ATTEMPTS_* attempts.
 * A connected link that degrades first gets an ICE restart; only if that does not recover it
 * within ICE_RESTART_TIMEOUT_MS is the link replaced.
 */
import { backoffDelay } from './backoff.ts';

export const DIRECT_ATTEMPTS_BEFORE_RELAY = 2;
export const CONNECT_TIMEOUT_MS = 10_000;
export const ICE_RESTART_TIMEOUT_MS = 5_000;
/** A link up this long counts as stable: the failure counters start again from zero. */
export const STABLE_AFTER_MS = 10_000;
/** Never connected: fail loudly, soon. */
export const MAX_ATTEMPTS_NEVER_CONNECTED = 6;
/** Lost after working: be patient. */
export const MAX_ATTEMPTS_AFTER_CONNECTED = 12;
/** How long a responder waits for the initiator's next offer before giving up. */
export const RESPONDER_WAIT_MS = 120_000;

export type LinkPhase = 'idle' | 'connecting' | 'relay' | 'connected' | 'reconnecting' | 'failed';
export type Transport = 'direct' | 'relay';
export type LinkRole = 'initiator' | 'responder';
export type LinkTimer = 'retry' | 'connect-timeout' | 'ice-restart' | 'stable' | 'responder-wait';

export interface LinkMachineState {
  readonly phase: LinkPhase;
  readonly role: LinkRole;
  /** Generation of the live link, or null. */
  readonly link: number | null;
  readonly generation: number;
  /** Transport of the live link, or of the next attempt. */
  readonly transport: Transport;
  /** Failed attempts since the last stable connection. */
  readonly failures: number;
  readonly directFailures: number;
  readonly everConnected: boolean;
  readonly restarting: boolean;
  readonly retryAt: number | null;
  readonly reason: string | null;
  readonly peerPresent: boolean;
  readonly relayAvailable: boolean;
  readonly connectedSince: number | null;
}

export type LinkEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'incoming-offer'; transport: Transport }
  | { type: 'link-open'; link: number }
  | { type: 'link-degraded'; link: number }
  | { type: 'link-recovered'; link: number }
  | { type: 'link-closed'; link: number; reason: string }
  | { type: 'timer'; timer: LinkTimer }
  /** The page became visible again: cut waits short. */
  | { type: 'wake' }
  /** The network changed (online, connection type): cut waits short, ICE-restart a live link. */
  | { type: 'network-changed' }
  | { type: 'peer-presence'; present: boolean }
  | { type: 'relay-availability'; available: boolean }
  /** The user pressed Retry. */
  | { type: 'retry' }
  /** The responder asked us (the initiator) to connect now. */
  | { type: 'connect-request' };

export type LinkEffect =
  | { kind: 'create-link'; link: number; transport: Transport }
  | { kind: 'destroy-link'; link: number }
  | { kind: 'ice-restart'; link: number }
  | { kind: 'schedule'; timer: LinkTimer; ms: number }
  | { kind: 'cancel'; timer: LinkTimer }
  | { kind: 'request-connect' };

export interface MachineEnv {
  readonly now: number;
  /** A draw from [0, 1), for jitter. */
  readonly random: number;
}

export interface Transition {
  readonly state: LinkMachineState;
  readonly effects: readonly LinkEffect[];
}

export function initialLinkState(role: LinkRole, relayAvailable = false): LinkMachineState {
  return {
    phase: 'idle',
    role,
    link: null,
    generation: 0,
    transport: 'direct',
    failures: 0,
    directFailures: 0,
    everConnected: false,
    restarting: false,
    retryAt: null,
    reason: null,
    peerPresent: true,
    relayAvailable,
    connectedSince: null,
  };
}

const ALL_TIMERS: readonly LinkTimer[] = ['retry', 'connect-timeout', 'ice-restart', 'stable', 'responder-wait'];
const cancelAll = (): LinkEffect[] => ALL_TIMERS.map((timer) => ({ kind: 'cancel', timer }));
const same = (state: LinkMachineState): Transition => ({ state, effects: [] });

function beginAttempt(state: LinkMachineState, transport: Transport, extra: LinkEffect[] = []): Transition {
  const link = state.generation + 1;
  const effects: LinkEffect[] = [...extra];
  if (state.link !== null) effects.push({ kind: 'destroy-link', link: state.link });
  effects.push(
    { kind: 'cancel', timer: 'retry' },
    { kind: 'cancel', timer: 'responder-wait' },
    { kind: 'cancel', timer: 'ice-restart' },
    { kind: 'create-link', link, transport },
    { kind: 'schedule', timer: 'connect-timeout', ms: CONNECT_TIMEOUT_MS },
  );
  return {
    state: {
      ...state,
      phase: transport === 'relay' ? 'relay' : 'connecting',
      link,
      generation: link,
      transport,
      restarting: false,
      retryAt: null,
      connectedSince: null,
    },
    effects,
  };
}

function nextTransport(state: LinkMachineState): Transport {
  return state.relayAvailable && state.directFailures >= DIRECT_ATTEMPTS_BEFORE_RELAY ? 'relay' : 'direct';
}

function fail(state: LinkMachineState, reason: string, env: MachineEnv): Transition {
  const effects: LinkEffect[] = [];
  if (state.link !== null) effects.push({ kind: 'destroy-link', link: state.link });
  effects.push({ kind: 'cancel', timer: 'connect-timeout' }, { kind: 'cancel', timer: 'ice-restart' }, { kind: 'cancel', timer: 'stable' });
  const failures = state.failures + 1;
  const directFailures = state.transport === 'direct' ? state.directFailures + 1 : state.directFailures;
  const base: LinkMachineState = {
    ...state,
    link: null,
    failures,
    directFailures,
    restarting: false,
    reason,
    connectedSince: null,
    retryAt: null,
  };
  if (state.role === 'responder') {
    effects.push({ kind: 'schedule', timer: 'responder-wait', ms: RESPONDER_WAIT_MS }, { kind: 'request-connect' });
    return { state: { ...base, phase: 'reconnecting' }, effects };
  }
  const max = state.everConnected ? MAX_ATTEMPTS_AFTER_CONNECTED : MAX_ATTEMPTS_NEVER_CONNECTED;
  if (failures >= max) {
    const why = state.everConnected
      ? `connection lost; gave up after ${failures} attempts (${reason})`
      : `could not connect after ${failures} attempts (${reason})`;
    return { state: { ...base, phase: 'failed', reason: why }, effects };
  }
  const withTransport = { ...base, transport: nextTransport(base), phase: 'reconnecting' as const };
  if (!state.peerPresent) return { state: withTransport, effects };
  const delay = backoffDelay(failures, env.random);
  effects.push({ kind: 'schedule', timer: 'retry', ms: delay });
  return { state: { ...withTransport, retryAt: env.now + delay }, effects };
}

function restartIce(state: LinkMachineState): Transition {
  if (state.restarting || state.link === null) return same(state);
  const effects: LinkEffect[] = [{ kind: 'schedule', timer: 'ice-restart', ms: ICE_RESTART_TIMEOUT_MS }];
  // Only the initiator renegotiates; the responder gives the initiator the same time to do so.
  if (state.role === 'initiator') effects.unshift({ kind: 'ice-restart', link: state.link });
  return { state: { ...state, restarting: true }, effects };
}

/** Initiator: try now instead of waiting (a network change, the peer is back, a request). */
function hurry(state: LinkMachineState): Transition {
  if (state.role !== 'initiator' || !state.peerPresent) return same(state);
  if (state.phase === 'reconnecting') return beginAttempt(state, state.transport);
  if (state.phase === 'failed') return beginAttempt({ ...state, failures: 0, directFailures: 0 }, 'direct');
  return same(state);
}

function isLive(state: LinkMachineState, link: number): boolean {
  return state.link !== null && state.link === link;
}

export function linkReducer(state: LinkMachineState, event: LinkEvent, env: MachineEnv): Transition {
  switch (event.type) {
    case 'start': {
      if (state.phase !== 'idle') return same(state);
      if (state.role === 'initiator') return beginAttempt(state, 'direct');
      return {
        state: { ...state, phase: 'connecting' },
        effects: [{ kind: 'schedule', timer: 'responder-wait', ms: RESPONDER_WAIT_MS }],
      };
    }
    case 'stop': {
      const effects = cancelAll();
      if (state.link !== null) effects.unshift({ kind: 'destroy-link', link: state.link });
      return { state: { ...state, phase: 'idle', link: null, restarting: false, retryAt: null, connectedSince: null }, effects };
    }
    case 'incoming-offer': {
      if (state.role !== 'responder' || state.phase === 'idle') return same(state);
      return beginAttempt(state, event.transport);
    }
    case 'link-open': {
      if (!isLive(state, event.link) || (state.phase !== 'connecting' && state.phase !== 'relay')) return same(state);
      return {
        state: { ...state, phase: 'connected', everConnected: true, connectedSince: env.now, reason: null, restarting: false },
        effects: [
          { kind: 'cancel', timer: 'connect-timeout' },
          { kind: 'cancel', timer: 'responder-wait' },
          { kind: 'schedule', timer: 'stable', ms: STABLE_AFTER_MS },
        ],
      };
    }
    case 'link-degraded':
      if (!isLive(state, event.link) || state.phase !== 'connected') return same(state);
      return restartIce(state);
    case 'link-recovered':
      if (!isLive(state, event.link) || !state.restarting) return same(state);
      return { state: { ...state, restarting: false }, effects: [{ kind: 'cancel', timer: 'ice-restart' }] };
    case 'link-closed':
      if (!isLive(state, event.link)) return same(state);
      return fail(state, event.reason, env);
    case 'timer':
      return onTimer(state, event.timer, env);
    case 'wake':
      if (state.role === 'responder') {
        return state.phase === 'reconnecting' ? { state, effects: [{ kind: 'request-connect' }] } : same(state);
      }
      return state.phase === 'reconnecting' ? hurry(state) : same(state);
    case 'network-changed':
      if (state.phase === 'connected') return restartIce(state);
      if (state.role === 'responder') {
        return state.phase === 'reconnecting' ? { state, effects: [{ kind: 'request-connect' }] } : same(state);
      }
      return hurry(state);
    case 'peer-presence': {
      const next = { ...state, peerPresent: event.present };
      if (!event.present) {
        if (state.phase === 'reconnecting' && state.role === 'initiator') {
          return { state: { ...next, retryAt: null }, effects: [{ kind: 'cancel', timer: 'retry' }] };
        }
        return same(next);
      }
      if (state.peerPresent) return same(next);
      return hurry(next);
    }
    case 'relay-availability':
      return same({ ...state, relayAvailable: event.available });
    case 'retry':
      if (state.phase !== 'failed') return hurry(state);
      if (state.role === 'initiator') return hurry(state);
      return {
        state: { ...state, phase: 'reconnecting', failures: 0, reason: null },
        effects: [{ kind: 'schedule', timer: 'responder-wait', ms: RESPONDER_WAIT_MS }, { kind: 'request-connect' }],
      };
    case 'connect-request':
      return hurry(state);
  }
}

function onTimer(state: LinkMachineState, timer: LinkTimer, env: MachineEnv): Transition {
  switch (timer) {
    case 'retry':
      return state.phase === 'reconnecting' && state.role === 'initiator' ? beginAttempt(state, state.transport) : same(state);
    case 'connect-timeout':
      return state.phase === 'connecting' || state.phase === 'relay'
        ? fail(state, `not connected after ${CONNECT_TIMEOUT_MS / 1000} s`, env)
        : same(state);
    case 'ice-restart':
      return state.phase === 'connected' && state.restarting ? fail(state, 'ICE restart did not recover the link', env) : same(state);
    case 'stable':
      return state.phase === 'connected' ? same({ ...state, failures: 0, directFailures: 0 }) : same(state);
    case 'responder-wait':
      if (state.role !== 'responder' || (state.phase !== 'reconnecting' && state.phase !== 'connecting') || state.link !== null) {
        return same(state);
      }
      return {
        state: { ...state, phase: 'failed', reason: state.everConnected ? 'the peer did not reconnect' : 'the peer never offered a connection' },
        effects: [],
      };
  }
}
