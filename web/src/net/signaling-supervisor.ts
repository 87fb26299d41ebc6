/** Runs the signaling state machine over one SignalingClient (see link-supervisor.ts). */
import type { Clock } from './clock.ts';
import { Emitter } from './emitter.ts';
import {
  initialSignalingState,
  signalingReducer,
  type SignalingEffect,
  type SignalingEvent,
  type SignalingMachineState,
  type SignalingTimer,
} from './signaling-machine.ts';
import type { SignalingClient } from './signaling-client.ts';
import { TimerSet } from './timer-set.ts';

export class SignalingSupervisor extends Emitter<{ change: SignalingMachineState }> {
  private machine: SignalingMachineState = initialSignalingState;
  private readonly timers: TimerSet<SignalingTimer>;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly client: SignalingClient,
    private readonly clock: Clock,
  ) {
    super();
    this.timers = new TimerSet(clock);
    // The client only reports events of its current socket, which is always machine.socket.
    this.unsubscribe = [
      client.on('welcome', () => this.dispatch({ type: 'socket-open', socket: this.machine.socket ?? -1 })),
      client.on('closed', ({ code, reason }) =>
        this.dispatch({ type: 'socket-closed', socket: this.machine.socket ?? -1, code, reason }),
      ),
    ];
  }

  get state(): SignalingMachineState {
    return this.machine;
  }

  dispatch(event: SignalingEvent): void {
    const { state, effects } = signalingReducer(this.machine, event, { now: this.clock.now(), random: this.clock.random() });
    const changed = state !== this.machine;
    this.machine = state;
    for (const effect of effects) this.run(effect);
    if (changed) this.emit('change', state);
  }

  stop(): void {
    this.dispatch({ type: 'stop' });
    this.timers.cancelAll();
    for (const off of this.unsubscribe) off();
    this.removeAllListeners();
  }

  private run(effect: SignalingEffect): void {
    switch (effect.kind) {
      case 'open-socket':
        this.client.connect();
        return;
      case 'close-socket':
        this.client.close();
        return;
      case 'schedule':
        this.timers.schedule(effect.timer, effect.ms, (timer) => this.dispatch({ type: 'timer', timer }));
        return;
      case 'cancel':
        this.timers.cancel(effect.timer);
        return;
    }
  }
}
